"""The trained pipeline shipped with reflectassist (installed as ``reflectassist.models``)."""
