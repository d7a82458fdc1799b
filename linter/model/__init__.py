"""The step model: what steplint knows about a pipeline step, whatever file form declared it.

In: nothing (the lowest layer). Out: plain, frozen value types every other stage uses:
``values`` (what static analysis knows of a value: ``Span``, explicit ``Unknown``, and the
symbolic values a reader resolves later).
"""
