"""``python -m tests.variants``: copy the typical mistakes (``demo=True``) into grader/demo_mistakes.json."""

from . import write_demo_mistakes

print(f"wrote {write_demo_mistakes()}")
