"""Cells the grader skips: figures and long demonstrations, tagged ``skip-grading``.

A code cell of a source notebook tagged ``skip-grading`` runs for students and in CI
(nbval), but not when a submission is graded. That is only safe when nothing graded
needs it, so :func:`check_skips` reads each cell's code statically (``ast``) and reports
every name that a kept cell uses and that only a skipped cell defines.

Rules (a cell is *kept* when it is not tagged; solution and grade cells are always kept):
1. solution cells, grade cells and cells with nbgrader metadata must never be tagged;
2. a name a kept cell uses must be defined by a kept cell (or be a builtin), whatever a
   skipped cell does with it.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from .nb import read

__all__ = ["SKIP_TAG", "is_skipped", "check_skips", "SkipProblem", "defined_and_used", "propose_skips"]

SKIP_TAG = "skip-grading"

_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "get_ipython", "display", "In", "Out"}


@dataclass(frozen=True)
class SkipProblem:
    """One reason a notebook's ``skip-grading`` tags are unsafe."""

    cell: int
    message: str

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.message}"


def is_skipped(cell: NotebookNode) -> bool:
    return cell.get("cell_type") == "code" and SKIP_TAG in cell.get("metadata", {}).get("tags", [])


def _python(source: str) -> str:
    """The cell's source as plain Python: IPython magics and shell escapes translated."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _Names(ast.NodeVisitor):
    """Module-level names a cell binds, and free names it reads (a function's body reads
    globals when called, so its free names count as used too)."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.used: set[str] = set()
        self._scopes: list[set[str]] = []

    def _bind(self, name: str) -> None:
        (self._scopes[-1] if self._scopes else self.defined).add(name)

    def _read(self, name: str) -> None:
        if not any(name in s for s in self._scopes) and name not in self.defined:
            self.used.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._read(node.id)
        else:
            self._bind(node.id)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name)

    def _function(self, node, args: ast.arguments, body) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for dec in getattr(node, "decorator_list", []):
            self.visit(dec)
        if getattr(node, "name", None):
            self._bind(node.name)
        scope = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        scope |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        # names assigned anywhere in the body are local to it
        for sub in ast.walk(ast.Module(body=body if isinstance(body, list) else [ast.Expr(body)], type_ignores=[])):
            if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                scope.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope.add(sub.name)
            elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                scope |= {(a.asname or a.name).split(".")[0] for a in sub.names}
        self._scopes.append(scope)
        for stmt in body if isinstance(body, list) else [body]:
            self.visit(stmt)
        self._scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node, node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node, node.args, node.body)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.bases, *node.decorator_list, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._bind(node.name)
        self._scopes.append({node.name})
        for stmt in node.body:
            self.visit(stmt)
        self._scopes.pop()

    def _comprehension(self, node) -> None:
        scope = {n.id for gen in node.generators for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        self._scopes.append(scope)
        for i, gen in enumerate(node.generators):
            if i:
                self.visit(gen.iter)
            for cond in gen.ifs:
                self.visit(cond)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self._scopes.pop()

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension


def defined_and_used(source: str) -> tuple[set[str], set[str]]:
    """(names a code cell defines at module level, names it reads that it did not define first)."""
    tree = ast.parse(_python(source))
    names = _Names()
    names.visit(tree)
    return names.defined, names.used - _BUILTINS


def _nbgrader(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def check_skips(nb: NotebookNode | Path | str) -> list[SkipProblem]:
    """Every way the ``skip-grading`` tags of ``nb`` could change what grading computes."""
    if not isinstance(nb, NotebookNode):
        nb = read(Path(nb))
    problems: list[SkipProblem] = []
    kept_defs: set[str] = set()
    only_skipped: dict[str, int] = {}  # name -> last skipped cell defining it
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = _nbgrader(cell)
        defined, used = defined_and_used(cell.source)
        if is_skipped(cell):
            if meta.get("solution") or meta.get("grade") or meta.get("grade_id"):
                problems.append(SkipProblem(index, f"'{meta.get('grade_id', '?')}' is an nbgrader cell "
                                                   f"(solution, grade or locked); remove its {SKIP_TAG} tag"))
            for name in defined - kept_defs:
                only_skipped[name] = index
            continue
        for name in sorted(used & set(only_skipped)):
            what = "grade cell" if meta.get("grade") else "solution cell" if meta.get("solution") else "cell"
            problems.append(SkipProblem(index, f"this {what} uses '{name}', which only the skipped cell "
                                               f"{only_skipped[name]} defines; move the definition to an "
                                               f"untagged cell or remove the {SKIP_TAG} tag"))
        kept_defs |= defined
        for name in defined:
            only_skipped.pop(name, None)
    return problems


def propose_skips(nb: NotebookNode, *, keep: set[int] = frozenset()) -> list[int]:
    """Indices of plain code cells that grading does not need: nothing kept later uses what they
    define. Walks backwards so a helper used only by skippable cells is skippable too.
    ``keep`` are cells never to propose (the imports and hyper-parameter cells, say)."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    info = {i: defined_and_used(nb.cells[i].source) for i in code}
    needed: set[str] = set()
    skip: list[int] = []
    for i in reversed(code):
        cell = nb.cells[i]
        defined, used = info[i]
        plain = not _nbgrader(cell) and i not in keep
        if plain and not (defined & needed):
            skip.append(i)
            continue
        needed |= used
    return sorted(skip)
