"""Properties a check declares instead of deriving them again: each adds its own cases to the
check's, answers them by calling the student's code through a small adapter the check provides,
and judges them, with its own failure messages.

A check lists them in :attr:`~grader.checks.base.Check.properties`::

    @register
    class MinibatchIndices(Check):
        properties = (RngArgument(orders=(2, 20)),)   # the arrays with_rng returns, by name

        def with_rng(self, obj, rng):   # what RngArgument calls: {"orders": <2 x 20 array>}
            ...

The layer (:class:`~grader.checks.base.Check`) runs them: their cases come after the check's own,
each marked with the property's name under :data:`~grader.checks.base.PROPERTY_KEY`, in the visible run and the
hidden one alike (the hidden check contains the visible one), and :func:`bind_inputs` refuses
changed property cases as it refuses changed cases of the check.

Each property's docstring is the sentence the check's "What the test checks" text ends with
(:func:`grader.checks.statement` appends it), so the notebook says what is tested.
"""

from .calls import Defaults, Interleaved
from .core import Derived, Property, own, same
from .inputs import LargeMean, NoOverflow, strict_tolerance
from .laws import Independent, Law
from .rng import RngArgument

__all__ = ["Property", "Derived", "own", "same", "RngArgument", "LargeMean", "NoOverflow", "strict_tolerance",
           "Interleaved", "Defaults", "Law", "Independent"]
