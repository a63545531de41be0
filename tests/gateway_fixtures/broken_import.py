raise RuntimeError("this module fails at import time on purpose")
