"""How one resolved doctree becomes one Quarto page.

:mod:`.translator` holds the translator core (document structure, inline markup, lists,
code, comments); :mod:`.contexts` the containers it writes into; each other module
handles one family of nodes (figures, refs, cells, tables, admonitions, design, proofs,
media, prose) or one kind of text (markdown escaping, equations). What the translator
hands the builder is one :class:`.page.PageOutput` per page.
"""
