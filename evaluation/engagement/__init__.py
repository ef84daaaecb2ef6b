"""The engagement around the scores: the 资料清单 the evaluated unit is asked for (``checklist``), the 工作底稿
behind every score (``workpapers``) and the archive kept when the evaluation is finalised (``archive``).

Pure domain code like the report: an evaluation and plain data in, file bytes out. The review decisions and
the audit history the working papers and the archive show are passed in as plain data (``DecisionNote``,
``HistoryNote``); ``evaluation.storage.archives`` reads them from the database.
"""
