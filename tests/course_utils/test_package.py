"""The package's public surface."""

import importlib

import pytest

import course_utils

SUBMODULES = ["seeding", "data", "gradcheck", "training", "plotting", "bridge"]


def test_every_submodule_name_is_exported_by_the_package():
    """Does course_utils.__all__ list exactly the union of the submodules' __all__?"""
    names = set()
    for sub in SUBMODULES:
        names |= set(importlib.import_module(f"course_utils.{sub}").__all__)
    assert set(course_utils.__all__) == names


@pytest.mark.parametrize("name", sorted(course_utils.__all__))
def test_package_attribute_is_the_submodule_object(name):
    """Does `course_utils.<name>` resolve lazily to the object its submodule defines?"""
    sub = course_utils._EXPORTS[name]
    module = importlib.import_module(f"course_utils.{sub}")
    assert getattr(course_utils, name) is getattr(module, name)


def test_unknown_attribute_raises_attribute_error():
    """Does a misspelt name fail with AttributeError rather than something obscure?"""
    with pytest.raises(AttributeError, match="seed_everythin"):
        course_utils.seed_everythin  # noqa: B018


def test_shape_glossary_is_stated_in_the_package_docstring():
    """Does the package docstring define every shape letter the course uses?"""
    doc = course_utils.__doc__
    for letter in ["N ", "D ", "H ", "W ", "C ", "K "]:
        assert f"\n{letter}" in doc
