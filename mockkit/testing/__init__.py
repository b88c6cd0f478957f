"""mockkit in tests (issue 15): mocks that fail a test for the right reason.

* ``pytest_plugin``: the ``pytest11`` entry point: the ``mockkit_server`` and
  ``mockkit_transport`` fixtures, the ``mockkit`` marker, the ini options and ``--mockkit-seed``
  (reference: ``docs/pytest-plugin.md``);
* ``verify``: the call assertions (``assert_called`` ...) and end-of-test checks that
  ``MockServer`` and the httpx transport share (``CallAssertions``);
* ``callmatch``: which logged calls a pattern such as ``GET /users/{{id}}`` means, and why the
  others do not count; ``strictness``: which calls failed and the messages that say why.
"""
