"""Postman's file formats, read into mockkit's model and written back (issue 14).

``mockkit.load_collection`` / ``load_environment`` (``mockkit.collection``) are the way in;
these modules do the reading and writing, and import nothing above the model:

* ``sources``: where a file comes from (path, text, bytes, dict), decoded and JSON-parsed once;
* ``v2read`` / ``v2fields``: Collection v2.0/v2.1 and environment JSON;
* ``v3read`` / ``v3fields`` / ``yamlnodes``: Postman's Git-native v3 folder trees of YAML files
  and ``.environment.yaml`` files; ``repo``: where they sit in a repository, and the stamps a
  file watcher compares;
* ``outline``: a loaded collection's folder tree again, for the writers ``v21write`` (v2.1 JSON)
  and ``v3write`` (a v3 tree); ``convert``: ``mockkit convert``, one format to the other.
"""
