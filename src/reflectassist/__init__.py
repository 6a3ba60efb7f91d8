"""reflectassist: offline feedback on reflective writing in health and social care.

Importing the package is deliberately cheap: spaCy and scikit-learn are imported only by
the modules that need them, so that ``reflectassist --help`` starts fast.
"""

__version__ = "0.1.0"

LABELS_DEPTH = ("descriptive writing", "descriptive reflection", "dialogic reflection",
                "critical reflection")
ELEMENTS = ("experience", "feeling", "belief", "difficulty", "perspective", "reflection",
            "learning", "intention", "other")
GIBBS = {
    "experience": "description",
    "feeling": "feelings",
    "difficulty": "evaluation",
    "belief": "evaluation",
    "reflection": "analysis",
    "perspective": "analysis",
    "learning": "conclusion",
    "intention": "action plan",
    "other": None,
}
GIBBS_STAGES = ("description", "feelings", "evaluation", "analysis", "conclusion", "action plan")
SMART_CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")
KINDS = ("reflective_entry", "supervision_note", "portfolio_entry", "essay")
