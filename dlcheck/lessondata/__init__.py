"""The course's data: the packaged table of every file the lesson needs (``files.toml``), the
proofs that a file is whole without the network (``proof``), where the lesson looks
(``places``), the check report's feature section and check kind (``facts``, ``checks``),
``dlcheck data fetch`` (``fetch``), its views (``render``) and commands (``cli``).

Importing this package imports nothing else (the check report's registry names it)."""
