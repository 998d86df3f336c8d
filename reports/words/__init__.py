"""The words of certificates, by language (``reports.texts`` puts them together).

- ``en``, ``zh``: the document's sentences, one table per language, the same keys
  (``en_statements``, ``zh_statements``: those of section 8 and the appendices);
- ``terms``: vocabularies in both languages (event types, statuses, checks, roles,
  authentication methods, recipient times);
- ``reasons``: the verifier's English reasons and bottom line, in Chinese.
"""
