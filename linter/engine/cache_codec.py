"""Cache files: facts and findings as signed JSON, so nothing read back can run code.

A cache file is ``MAGIC``, a newline, 64 hex digits of a keyed BLAKE2b MAC, a newline and a
JSON document. The key is 32 random bytes kept in the user's cache directory
(``<cache root>/key``, mode 0600, see ``steplint.engine.userdirs``); a file is read only when its
MAC verifies, so files a repository commits (or copies from another machine) are ignored
as if absent, and a forged file cannot make a run report fewer findings. The JSON is then
decoded by the standard library into plain values and the frozen dataclasses of the fact
and finding modules, by name from a fixed list; no other type can be built.

Encoding: ``None``/``bool``/``int``/``float``/``str`` as themselves, tuples as arrays (every
array decodes to a tuple), dicts with identifier keys as objects, and a dataclass instance
``C(a, b)`` as the one-entry object ``{" C": [a, b]}`` (a leading space: never an
identifier, so never a key of the dicts facts hold; a class whose name an earlier module's
class took is tagged ``" module.C"``). A frozenset is ``{" frozenset": [...]}``.
Enums (``Severity``, ``Applicability``, the step model's ``Answer``) are written as their
value and rebuilt from the field's annotation.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import importlib
import json
import operator
import secrets

from steplint.engine.safe_dir import SafeDir
from steplint.engine.userdirs import cache_root

MAGIC = b"steplint-cache 1"
KEY_NAME = "key"
KEY_BYTES = 32
MAC_HEX = 64
# Per purpose, the modules whose frozen dataclasses may appear in a cache file (results
# need no fact module, so a warm run of an unchanged project does not import LibCST).
DATA_MODULES = {
    "facts": ("steplint.model.values", "steplint.readers.python.facts", "steplint.readers.python.builder_facts",
              "steplint.files.sources"),
    "results": ("steplint.model.values", "steplint.findings.finding"),
    "index": (),  # the project index of scoped runs: plain tuples, strings and numbers
}


class CacheFormatError(ValueError):
    """A cache file that is not one this user's steplint wrote, or that is damaged."""


class _Codec:
    """The JSON encoder and decoder for the dataclasses of the named modules."""

    def __init__(self, modules) -> None:
        getters, builders = {}, {}
        for module_name in modules:
            module = importlib.import_module(module_name)
            for value in vars(module).values():
                if (isinstance(value, type) and value.__module__ == module_name and dataclasses.is_dataclass(value)
                        and all(field.init for field in dataclasses.fields(value)) and value not in getters):
                    tag = f" {value.__name__}"
                    if tag in builders:  # a name an earlier module took: qualified by its module
                        tag = f" {module_name}.{value.__name__}"
                    getters[value] = _getter(value, tag)
                    builders[tag] = _builder(value, vars(module))
        builders[" frozenset"] = lambda items: frozenset(_tuples(items))
        self._getters = getters
        self._builders = builders
        self.encoder = json.JSONEncoder(default=self._default, separators=(",", ":"), check_circular=False)
        self.decoder = json.JSONDecoder(object_hook=self._object)

    def _default(self, value):
        getter = self._getters.get(type(value))
        if getter is not None:
            return getter(value)
        if type(value) is frozenset:
            return {" frozenset": list(value)}
        if isinstance(value, enum.Enum):  # rebuilt from the field's annotation
            return value.value
        raise TypeError(f"{type(value).__name__} cannot be stored in the cache")

    def _object(self, data: dict):
        if len(data) == 1:
            for key, value in data.items():
                builder = self._builders.get(key)
                if builder is not None:
                    return builder(value)
        for key, value in data.items():
            if type(value) is list:
                data[key] = _tuples(value)
        return data


def _getter(cls, tag: str):
    """``value -> {tag: [field values]}`` for the dataclass ``cls``."""
    names = [field.name for field in dataclasses.fields(cls)]
    if len(names) == 1:
        only = operator.attrgetter(names[0])
        return lambda value: {tag: [only(value)]}
    many = operator.attrgetter(*names)
    return lambda value: {tag: many(value)}


def _builder(cls, namespace: dict):
    """``[field values] -> cls(...)``: arrays become tuples, enum fields their enum member."""
    fields = dataclasses.fields(cls)
    converters = {}
    for index, field in enumerate(fields):
        annotation = namespace.get(field.type) if isinstance(field.type, str) else field.type
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            converters[index] = annotation
    if all(field.type == "int" for field in fields):
        return lambda values: cls(*values)

    def build(values):
        arguments = [_tuples(value) if type(value) is list else value for value in values]
        for index, convert in converters.items():
            arguments[index] = convert(arguments[index])
        return cls(*arguments)

    return build


def _tuples(values: list) -> tuple:
    return tuple(_tuples(value) if type(value) is list else value for value in values)


_codecs: dict = {}  # purpose -> _Codec
_keys: dict = {}  # cache root -> key, read once per process


def data_modules(purpose: str) -> tuple:
    """The modules whose dataclasses a cache file for ``purpose`` may hold: ``DATA_MODULES``,
    and for facts the ``fact_modules`` of every registered reader."""
    if purpose != "facts":
        return DATA_MODULES[purpose]
    from steplint.readers import readers

    return DATA_MODULES[purpose] + tuple(module for reader in readers() for module in reader.fact_modules)


def _codec(purpose: str) -> _Codec:
    if purpose not in _codecs:
        _codecs[purpose] = _Codec(data_modules(purpose))
    return _codecs[purpose]


def signing_key() -> bytes:
    """This user's cache key, created on first use. Raises OSError when the cache root
    cannot hold it (the caller then runs without a cache)."""
    where = cache_root()
    if where not in _keys:
        with SafeDir.open(where, create=True) as root:
            try:
                key = root.read(KEY_NAME, limit=KEY_BYTES)
            except FileNotFoundError:
                key = b""
            if len(key) != KEY_BYTES:
                key = secrets.token_bytes(KEY_BYTES)
                root.write_atomically(KEY_NAME, key)
        _keys[where] = key
    return _keys[where]


def _mac(purpose: str, payload: bytes) -> bytes:
    person = purpose.encode()[:16]
    return hashlib.blake2b(payload, key=signing_key(), person=person, digest_size=MAC_HEX // 2).hexdigest().encode()


def encode(purpose: str, value) -> bytes:
    """The bytes of a cache file holding ``value`` for ``purpose`` (a key of ``DATA_MODULES``).
    Raises TypeError for a value of a type the format does not hold, RecursionError for one
    nested too deeply, OSError when there is no signing key."""
    return signed(purpose, encode_value(purpose, value))


def signed(purpose: str, payload: bytes) -> bytes:
    """The bytes of a cache file for ``purpose`` whose content is ``payload`` as it is (a
    file with a layout of its own, read back with ``verified``). Raises OSError when there is
    no signing key."""
    return b"%s\n%s\n%s" % (MAGIC, _mac(purpose, payload), payload)


def signed_head(purpose: str, head: bytes, parts: list) -> list:
    """A cache file whose signature covers ``head`` only, the byte strings ``parts``
    following it: for a head that vouches for the rest itself (``FactsCache`` lists a
    digest of each entry), so that a reader needs to check only what it uses. Returned as a
    list of byte strings to write one after another (``SafeDir.write_atomically``); the
    file's payload is ``b"%d\\n" % len(head)``, ``head``, then ``parts``. Raises OSError when
    there is no signing key."""
    framed = b"%d\n%s" % (len(head), head)
    return [b"%s\n%s\n%s" % (MAGIC, _mac(purpose, framed), framed), *parts]


def verified_head(purpose: str, data: bytes) -> tuple[memoryview, memoryview]:
    """``(head, rest)`` of a file ``signed_head`` wrote for ``purpose``, as views of ``data``.
    Raises CacheFormatError when this user's steplint did not write that head for
    ``purpose`` (``rest`` is not checked here), OSError when there is no signing key."""
    mac, payload = _framed(data)
    line = bytes(payload[:24]).split(b"\n", 1)[0]
    end = len(line) + 1 + int(line) if line.isdigit() else len(payload) + 1
    if end > len(payload) or not hmac.compare_digest(mac, _mac(purpose, payload[:end])):
        raise CacheFormatError("not a cache file of this user's steplint")
    return payload[len(line) + 1:end], payload[end:]


def verified(purpose: str, data: bytes) -> memoryview:
    """The payload of a cache file ``signed`` (or ``encode``) wrote for ``purpose``, as a view
    of ``data`` (a large file is not copied). Raises CacheFormatError when this user's
    steplint did not write it for ``purpose``, OSError when there is no signing key."""
    mac, payload = _framed(data)
    if not hmac.compare_digest(mac, _mac(purpose, payload)):
        raise CacheFormatError("not a cache file of this user's steplint")
    return payload


def _framed(data: bytes) -> tuple[bytes, memoryview]:
    """``(MAC, payload)`` of a cache file's bytes (``MAGIC``, the MAC and the payload, each of
    the first two ending a line). Raises CacheFormatError when the frame is not there."""
    start = len(MAGIC) + 1 + MAC_HEX + 1
    if not data.startswith(MAGIC + b"\n") or data[start - 1:start] != b"\n":
        raise CacheFormatError("not a cache file of this user's steplint")
    return data[len(MAGIC) + 1:start - 1], memoryview(data)[start:]


def encode_value(purpose: str, value) -> bytes:
    """``value`` as the UTF-8 JSON a cache file for ``purpose`` holds it in, unsigned: the
    payload of ``encode``, or a part of a file that is decoded only when needed
    (``decode_value``). Raises like ``encode``."""
    return _codec(purpose).encoder.encode(value).encode("utf-8", "surrogatepass")


def decode_value(purpose: str, data):
    """The value ``encode_value(purpose, value)`` gave (``data``: its bytes, or a view of
    them in a file ``verified`` accepted). Raises CacheFormatError when they are damaged."""
    try:
        value = _codec(purpose).decoder.decode(str(data, "utf-8", "surrogatepass"))
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as error:
        raise CacheFormatError(f"damaged cache data: {error}") from None
    return _tuples(value) if type(value) is list else value


def decode(purpose: str, data: bytes):
    """The value stored by ``encode(purpose, value)``. Raises CacheFormatError when the
    file was not written by this user's steplint for ``purpose``, or is damaged; OSError
    when there is no signing key."""
    return decode_value(purpose, verified(purpose, data))


