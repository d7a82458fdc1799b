"""A training script that reads ``/opt/ml/input/config/hyperparameters.json`` itself: the
values it takes from the file and uses as they are, where a plain string is expected.

SageMaker writes the training job's ``HyperParameters`` to that file unchanged. A framework
estimator has JSON-encoded each value first (``EstimatorBase._json_encode_hyperparameters``,
``sagemaker/estimator.py``), so a string ``"adam"`` is stored as ``"\\"adam\\""``; the
training toolkit decodes each value once more before passing it on the command line or as
``SM_HP_*`` (``read_hyperparameters`` in ``sagemaker_training/environment.py``), but a script
that ``json.load``s the file gets the encoded text. Whether the step's estimator encodes is
the rule's question; this module only reads the script.

What counts, in one scope (the module, or one function; nested functions are their own):

- the file: ``open(P)``, ``with open(P) as f``, ``pathlib.Path(P).read_text()``, with ``P``
  a literal, a module constant, an f-string or ``os.path.join`` of those, equal to the path;
- the dict: a name bound exactly once, to ``json.load(<the file>)``, ``json.loads(<its
  text>)`` or a call of a module-level function whose one ``return`` is such a load; never
  changed in place (``d[k] = v``, ``d.update(...)`` ...) and not a parameter;
- a value: ``d["k"]`` or ``d.get("k", ...)`` with a known string key;
- a use as it is: the value (or a name bound once to it in the same scope) compared with a
  string (``==``, ``!=``, ``in`` a list of strings; literals or module constants), passed to ``int()`` /
  ``float()``, as the attribute name of ``getattr``, or to ``os.path.join``.

Anything else (a value passed through ``json.loads`` or ``.strip('"')``, a dict rebuilt with
decoded values, a name bound twice) is not reported.
"""

from __future__ import annotations

import ast
import warnings

from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.values import Name, Seq
from steplint.readers.python.parse_guard import parse_obstacle

HYPERPARAMETERS_FILE = "/opt/ml/input/config/hyperparameters.json"
MUTATORS = frozenset({"update", "pop", "setdefault", "clear", "popitem", "__setitem__", "__delitem__"})
NUMBER_TYPES = ("int", "float")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def raw_hyperparameter_uses(text: str) -> tuple:
    """``(key, (kind, phrase), Span)`` per key the script at ``text`` reads from the
    hyperparameters file and uses as it is (the first such read); ``kind`` is ``compare``,
    ``int``, ``float``, ``getattr`` or ``os.path.join`` and ``phrase`` says it in words
    (``compared with 'adam'``). Empty when the script does not parse or does no such thing."""
    if HYPERPARAMETERS_FILE.rsplit("/", 1)[-1] not in text or parse_obstacle(text) is not None:
        return ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    reader = _Reader(tree, Text(text))
    found: dict = {}
    module_loaded = reader.module_loaded()
    for scope in [tree] + [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef,
                                                                                  ast.AsyncFunctionDef))]:
        for key, use, span in reader.uses(scope, module_loaded):
            found.setdefault(key, (key, use, span))
    return tuple(found.values())


def _own_nodes(scope: ast.AST) -> list:
    """Every node of ``scope``'s body, not entering nested functions, classes or lambdas."""
    nodes = []
    stack = list(reversed(scope.body))
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return nodes


class _Reader:
    def __init__(self, tree: ast.Module, text: Text) -> None:
        self.text = text
        self.evaluator = Evaluator(tree, text)
        self.evaluator.run()
        self.loaders = {node.name for node in tree.body
                        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and self._loads_only(node)}

    # -- what a name or an expression is -----------------------------------------------
    def _value(self, node: ast.AST) -> object:
        """``node`` evaluated with the module's names (not the function's)."""
        return self.evaluator.expr(node, {}, None)

    def _is_file(self, node: ast.AST) -> bool:
        return self._value(node) == HYPERPARAMETERS_FILE

    def _is_func(self, node: ast.AST, qualified: str) -> bool:
        return self._value(node) == Name(qualified)

    def _opens_file(self, node: ast.AST) -> bool:
        """``open(<the file>, ...)`` (the builtin, not rebound at module level)."""
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"
                and "open" not in self.evaluator.module_scope and bool(node.args) and self._is_file(node.args[0]))

    def _is_load(self, node: ast.AST, handles: set) -> bool:
        """Whether ``node`` is the decoded content of the file."""
        if not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
            return False
        argument = node.args[0]
        if self._is_func(node.func, "json.load"):
            return (isinstance(argument, ast.Name) and argument.id in handles) or self._opens_file(argument)
        if self._is_func(node.func, "json.loads") and isinstance(argument, ast.Call) and not argument.args \
                and isinstance(argument.func, ast.Attribute):
            receiver = argument.func.value
            if argument.func.attr == "read":
                return (isinstance(receiver, ast.Name) and receiver.id in handles) or self._opens_file(receiver)
            if argument.func.attr == "read_text":
                return (isinstance(receiver, ast.Call) and len(receiver.args) == 1
                        and any(self._is_func(receiver.func, cls) for cls in ("pathlib.Path", "pathlib.PosixPath"))
                        and self._is_file(receiver.args[0]))
        return False

    def _handles(self, nodes: list) -> set:
        """Names bound to the file opened (``with open(P) as f``, ``f = open(P)``)."""
        handles = set()
        for node in nodes:
            if isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name) and self._opens_file(item.context_expr):
                        handles.add(item.optional_vars.id)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and self._opens_file(node.value):
                handles.add(node.targets[0].id)
        return handles

    def _loads_only(self, function) -> bool:
        """A function whose only ``return`` gives the decoded file."""
        nodes = _own_nodes(function)
        returns = [node for node in nodes if isinstance(node, ast.Return)]
        return len(returns) == 1 and returns[0].value is not None and self._is_load(returns[0].value,
                                                                                   self._handles(nodes))

    # -- one scope ------------------------------------------------------------------------
    def module_loaded(self) -> set:
        """Module-level names of the decoded file that no code changes or rebinds (a function
        that does not bind the name itself reads this one)."""
        tree = self.evaluator.tree
        everything = list(ast.walk(tree))
        parents = {child: node for node in everything for child in ast.iter_child_nodes(node)}
        declared = {name for node in everything if isinstance(node, (ast.Global, ast.Nonlocal)) for name in node.names}
        nodes = _own_nodes(tree)
        return self._loaded(nodes, self._bindings(tree, nodes), 1) - self._changed(everything, parents) - declared

    def _bindings(self, scope: ast.AST, nodes: list) -> dict:
        """How often each name is bound in the scope (a ``def`` counts once; parameters,
        imports and global names count as two)."""
        bindings: dict = {}
        for node in nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bindings[node.id] = bindings.get(node.id, 0) + 1
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    bindings[name] = 2
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bindings[alias.asname or alias.name.split(".")[0]] = 2
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bindings[node.name] = bindings.get(node.name, 0) + 1
        if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = scope.args
            for argument in arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [
                    arguments.vararg, arguments.kwarg]:
                if argument is not None:
                    bindings[argument.arg] = 2
        return bindings

    def _loaded(self, nodes: list, bindings: dict, loader_bindings: int) -> set:
        """Names bound once in the scope to the decoded file; a loader function's name must be
        bound ``loader_bindings`` times there (1 at module level: its ``def``; 0 in a function)."""
        handles = self._handles(nodes)
        loaded = set()
        for node in nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                value = node.value
                if bindings.get(name) == 1 and (self._is_load(value, handles) or (
                        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args
                        and not value.keywords and value.func.id in self.loaders
                        and bindings.get(value.func.id, 0) == loader_bindings)):
                    loaded.add(name)
        return loaded

    def uses(self, scope: ast.AST, module_loaded: set):
        """``(key, use, span)`` of every value of the decoded file used as it is in ``scope``."""
        nodes = _own_nodes(scope)
        parents = {child: node for node in nodes for child in ast.iter_child_nodes(node)}
        bindings = self._bindings(scope, nodes)
        if isinstance(scope, ast.Module):
            loaded = set(module_loaded)
        else:
            loaded = (self._loaded(nodes, bindings, 0) - self._changed(nodes, parents)) | {
                name for name in module_loaded if name not in bindings}
        if not loaded:
            return
        for node in nodes:
            key = self._read_key(node, loaded)
            if key is None:
                continue
            use = self._use(node, parents, nodes, bindings)
            if use is not None:
                yield key, use, self.text.span(node)

    def _changed(self, nodes: list, parents: dict) -> set:
        """Names of dicts changed in place: ``d[k] = v``, ``del d[k]``, ``d.update(...)``."""
        changed = set()
        for node in nodes:
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                    and isinstance(node.value, ast.Name):
                changed.add(node.value.id)
            if isinstance(node, ast.Attribute) and node.attr in MUTATORS and isinstance(node.value, ast.Name) \
                    and isinstance(parents.get(node), ast.Call):
                changed.add(node.value.id)
        return changed

    def _read_key(self, node: ast.AST, loaded: set) -> str | None:
        """The key of ``d["k"]`` / ``d.get("k", ...)`` on a loaded dict ``d``."""
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name) \
                and node.value.id in loaded:
            key = self._value(node.slice)
            return key if isinstance(key, str) else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in loaded and node.args \
                and not node.keywords:
            key = self._value(node.args[0])
            return key if isinstance(key, str) else None
        return None

    def _use(self, node: ast.AST, parents: dict, nodes: list, bindings: dict):
        """How the value at ``node`` is used as it is, directly or through a name bound once to
        it; None when not in one of the ways this module knows."""
        use = self._direct_use(node, parents)
        if use is not None:
            return use
        parent = parents.get(node)
        if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1 \
                and isinstance(parent.targets[0], ast.Name) and bindings.get(parent.targets[0].id) == 1:
            alias = parent.targets[0].id
            for other in nodes:
                if isinstance(other, ast.Name) and other.id == alias and isinstance(other.ctx, ast.Load):
                    use = self._direct_use(other, parents)
                    if use is not None:
                        return use
        return None

    def _direct_use(self, node: ast.AST, parents: dict):
        parent = parents.get(node)
        if isinstance(parent, ast.Compare) and len(parent.ops) == 1:
            op = parent.ops[0]
            other = parent.comparators[0] if parent.left is node else parent.left
            if isinstance(op, (ast.Eq, ast.NotEq)):
                value = self._value(other)
                if isinstance(value, str):
                    return "compare", f"compared with {value!r}"
            if isinstance(op, (ast.In, ast.NotIn)) and parent.left is node:
                items = self._value(other) if not isinstance(other, ast.Set) else Seq(
                    tuple(self._value(item) for item in other.elts), None)
                if isinstance(items, Seq) and items.items and all(isinstance(item, str) for item in items.items):
                    return "compare", f"compared with {items.items[0]!r}" + (", ..." if len(items.items) > 1 else "")
        if isinstance(parent, ast.Call) and node in parent.args:
            func = parent.func
            if isinstance(func, ast.Name) and func.id in NUMBER_TYPES and func.id not in self.evaluator.module_scope \
                    and len(parent.args) == 1:
                return func.id, f"passed to {func.id}()"
            if isinstance(func, ast.Name) and func.id == "getattr" and "getattr" not in self.evaluator.module_scope \
                    and len(parent.args) >= 2 and parent.args[1] is node:
                return "getattr", "passed to getattr()"
            if self._is_func(func, "os.path.join"):
                return "os.path.join", "joined into a path"
        return None
