"""An ordinal classifier (Frank & Hall 2001): one binary model per threshold ``y > k``.

Depth levels are ordered; treating them as unrelated classes wastes that order and lets the
model jump from 0 to 3 on one cue.  Cumulative models share evidence between neighbours.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression


class OrdinalClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        y = np.asarray(y, dtype=int)
        self.classes_ = np.unique(y)
        base = self.estimator if self.estimator is not None else LogisticRegression(max_iter=3000)
        self.estimators_ = []
        for k in self.classes_[:-1]:
            est = clone(base)
            est.fit(X, (y > k).astype(int))
            self.estimators_.append(est)
        return self

    def predict_proba(self, X):
        greater = np.column_stack([e.predict_proba(X)[:, 1] for e in self.estimators_])
        # enforce P(y>0) >= P(y>1) >= ... so class probabilities stay non-negative
        greater = np.minimum.accumulate(greater, axis=1)
        n = greater.shape[0]
        cum = np.hstack([np.ones((n, 1)), greater, np.zeros((n, 1))])
        proba = cum[:, :-1] - cum[:, 1:]
        proba = np.clip(proba, 0.0, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
