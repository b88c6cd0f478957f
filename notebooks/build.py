"""Build the tutorial notebooks from this file, so that they can be reviewed (and diffed) as code.

    python notebooks/build.py            # (re)write notebooks/*.ipynb
    python notebooks/build.py --check    # exit 1 when a committed notebook differs from this file

Each notebook is a list of cells made with ``md(...)`` (prose) and ``code(...)``. The notebooks
are written with nbformat (v4), validated, and stored without outputs or execution counts; cell
ids are derived from the notebook's name and the cell's position, so a build is reproducible byte
for byte (``tests/test_notebooks.py`` checks that the committed files are exactly what this
script writes). Paths inside the notebooks are relative to this folder: run them from here.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def _text(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


def md(source: str) -> tuple[str, str]:
    return ("markdown", _text(source))


def code(source: str) -> tuple[str, str]:
    return ("code", _text(source))


# =========================================================================== 01 · quickstart

QUICKSTART = [
    md("""
        # Quickstart: a mock API in five minutes

        A **mock server** is a stand-in for a real API. It listens like the real one, but instead
        of doing real work it answers with responses that someone saved earlier. You reach for one
        when the real API is not built yet, is slow, costs money per call, needs credentials you do
        not have, or when you want to see how your code copes with answers the real API rarely
        gives (a 404, a 503, a slow reply).

        mockkit builds a mock from a **Postman collection**: a JSON file of requests, grouped in
        folders. In Postman each request can keep saved **examples**. An example is a pair: a
        request as it was sent (method, path, query, headers, body) and the response that came
        back (status, headers, body). When a call arrives, the mock compares it with the saved
        request of every example, picks the one that looks most alike, and sends that example's
        response. mockkit follows the same rules as Postman's own mock servers, runs on your
        machine, and can tell you, for every call, *why* it picked the example it did.

        In this notebook you will start the demo mock that comes with mockkit, call it, read the
        explanation of an answer, look at the call log and open the interactive Explorer. Run
        the cells from top to bottom (Shift+Enter), or all at once (Run → Run All Cells).
    """),
    code("""
        import mockkit

        mockkit.__version__
    """),
    md("""
        ## 1. Start the demo

        `mockkit.serve()` starts a mock server in a background thread of this notebook's kernel.
        Without an argument it serves the bundled demo, a small shop API with users, orders and a
        health check; pass a file name (`mockkit.serve("my-api.postman_collection.json")`) to
        serve your own collection.

        The server listens on `127.0.0.1` (this machine only) on a free port, and `serve` returns
        once it is ready. Showing the server object lists the endpoints it knows.
    """),
    code("""
        mock = mockkit.serve()
        mock
    """),
    md("""
        Every example the mock can answer with, one row each: the folder and request it belongs
        to, its name, the method, the `path` and `query` the mock answers (variables filled in),
        the status of its response, its id, and the `url` exactly as it was saved. Note
        `/users/{{userId}}`: a `{{name}}` that nothing defines acts as a wildcard for one path
        segment.
    """),
    code("""
        mock.examples
    """),
    md("""
        ## 2. Call it

        `mock.get(path)` (and `post`, `put`, `delete`, ...) sends a real HTTP request to the
        server with [httpx](https://www.python-httpx.org/) and returns the `httpx.Response`. Any
        other client works too (`requests`, a browser, curl, your app): the server's address is
        `mock.url`.

        On Binder or a JupyterHub the kernel runs on a remote machine: calls made from the
        notebook work as here, but `127.0.0.1` in *your* browser is your own computer, so a link
        to `mock.url` does not open there.
    """),
    code("""
        print(mock.url)
        r = mock.get("/users")
        r.status_code, r.headers["content-type"]
    """),
    code("""
        r.json()
    """),
    md("""
        That is the saved response of the example **All users**. Now ask for a user. No example
        was saved for user 42, but the example *User found* was saved for `/users/{{userId}}`,
        and its body uses **dynamic variables** such as `{{$randomFullName}}` that are filled with
        fresh fake data on every call (notebook 03 is all about them).
    """),
    code("""
        r = mock.get("/users/42")
        r.status_code, r.json()
    """),
    md("""
        ## 3. Why this example?

        With three examples you can guess which one will answer. With three hundred, or when an
        example you expected never shows up, guessing stops working. `mock.explain(response)`
        ranks **every** example of the collection for that call, best first, and says why:

        * **example**: its name, and under it the method and path it was saved for;
        * **decided by**: the path rule (a to h) that matched it, the control header that
          picked it, or the step that dropped it (`dropped: method`, `dropped: path`, ...);
        * **score**: the points it earned (100 for an identical path, fewer for looser
          matches, plus or minus points for the query string), with a bar for comparing;
        * **chosen**: the example that was served, highlighted and first;
        * **reason**: a sentence saying why it won, or by how many points and where it lost.

        A table of scores turns "the mock is wrong" into something you can act on: you see the
        runner-up, by how many points it lost, and at which step, so you know whether to change
        the request or the collection.
    """),
    code("""
        why = mock.explain(r)
        why
    """),
    md("""
        *User found* and *User not found* were both saved for `/users/{{userId}}` and score the
        same; the tie rule prefers status 200. The loser's reason ends with the header that
        reaches it anyway (*reach it with* `x-mock-response-code: 404`).

        The table is a pandas DataFrame, so everything pandas does works on it: filter, sort,
        plot. It has more columns than the view shows (the points of each step, the query
        counts, the values the wildcards took, ...): `why.columns` lists them, `why.table` shows
        them all, and `why.steps` lists every comparison made, one row per example and step.
    """),
    code("""
        why[why["kept"]][["example", "path_rule", "path_points", "query_points", "score", "captures"]]
    """),
    md("""
        You can also ask *before* sending anything: describe the request by method and path.
        Here the query parameter `page=2` makes *Users, page 2* win over *All users*.
    """),
    code("""
        mock.explain("GET", "/users?page=2")
    """),
    md("""
        To get the *User not found* example, tell the mock which status you want with the
        control header `x-mock-response-code`. (Notebook 02 covers all the control headers.)
    """),
    code("""
        r = mock.get("/users/42", headers={"x-mock-response-code": "404"})
        r.status_code, r.json()
    """),
    md("""
        ## 4. The call log

        `mock.calls` lists every call the server answered, oldest first: the request, the status,
        the example that answered and its score. It records calls from anywhere: this notebook,
        a browser, curl, or an app you point at `mock.url`.
    """),
    code("""
        mock.calls[["call", "method", "path", "query", "status", "example", "score", "duration_ms"]]
    """),
    md("""
        ## 5. Explore interactively

        `mock.explore()` opens the **Explorer**: the examples of the collection next to a request
        builder (method, path, query, headers, body, and the control headers), then the ranking
        of every candidate for the request you are building, recomputed while you type, a Send
        button, the last response, and the call log on its own tab. Pick an example and press
        *use as request*: if its own saved request cannot reach it (like *User not found*), the
        Explorer says so and adds the control header that does.

        The Explorer is made of Jupyter widgets: it needs a running kernel, so a notebook shown
        as a static page (for example on GitHub) shows nothing here.
    """),
    code("""
        explorer = mock.explore()
        explorer
    """),
    md("""
        ## 6. Where next

        * **02-why-this-example**: the matching algorithm, step by step.
        * **03-dynamic-responses**: variables, fake data, and responses built from the request.
        * **04-mock-in-your-tests**: use mockkit from pytest.
        * **05-your-own-collection**: load your own export, check it, fix what the checker finds,
          and write examples of your own.
        * **06-hub**: many mocks behind a Postman-shaped API, private mocks, call logs.
        * **07-record-and-replay**: record a real API through a mock, save the examples, replay.

        ## When you are done

        The server runs as long as this notebook's kernel does, so the Explorer above keeps
        working. Shutting the kernel down (**Kernel → Shut Down Kernel**) stops the server. To
        stop it and keep the kernel, run `mock.stop()` in a new cell; the Explorer's header then
        says the server is stopped, and re-running the `mockkit.serve()` cell starts it again on
        the same port. (In a script, `with mockkit.serve() as mock:` stops it at the end of the
        block.)
    """),
]

# =================================================================== 02 · why this example

WHY_THIS_EXAMPLE = [
    md("""
        # Why this example? The matching algorithm, step by step

        A mock answers a call with one of its saved **examples** (a saved request plus the
        response that came back). Which one? Postman's mock servers, and mockkit with them, run
        every example through the same steps:

        1. **method**: only examples saved with the call's method (GET, POST, ...) stay;
        2. **control headers**: `x-mock-response-code` keeps only one status;
           `x-mock-response-id` and `x-mock-response-name` pick an example outright;
        3. **path**: each example starts at 100 points and loses some depending on how loosely
           its path matches (rules a to h), or is dropped when no rule matches;
        4. **query string**: up to 10 points more, or a few less;
        5. **headers and body**, when asked for: examples that differ are dropped (and an
           example whose saved body equals the call's body gets 5 points even when not asked);
        6. **the highest score wins**; a tie goes to the lowest example id, preferring status 200.

        `mockkit.explain(collection, method, path, ...)` runs these steps for a request that is
        never sent (no server needed) and returns the whole table. We will use it on a small
        collection made for this notebook, `data/bookshop.postman_collection.json`.

        ## Postman's rules, and where mockkit had to decide

        Postman documents the steps above and their points. It leaves a few things open, and a
        local mock has to pick an answer for each; mockkit's answers are its own, marked
        **mockkit's decision** wherever they come up below:

        | question | who decides | the answer |
        |---|---|---|
        | order of the steps, the points of rules a to h, query points, the +5 body bonus | **Postman** (documented) | as listed above |
        | a tie: sort by example id, take the first with status 200 | **Postman** (documented) | as listed above |
        | what counts as an "id" segment (rules f and g) | **mockkit's decision** | all digits, a UUID, or a token of 8+ letters, digits, `-`, `_` with at least one digit and one letter |
        | how close is "close" for rule h (document distance) | **mockkit's decision** | paths with the same number of segments whose differing segments are each within an edit distance of 0.2 of their length (`distance_threshold`, configurable; 0 turns rule h off) |
        | the order of the tie sort | **mockkit's decision** | ids ascending; examples without an id after those with one, in collection order; with no 200 among them, a 2xx comes before errors |
        | no query string on either side | **mockkit's decision** | counts as "every parameter matches" (+10) |

        Every explanation shows which rule applied, so a decision never hides.
    """),
    code("""
        import pandas as pd

        import mockkit
        from mockkit.report import readable

        BOOKSHOP = "data/bookshop.postman_collection.json"
        mockkit.examples(BOOKSHOP)
    """),
    md("""
        ## Reading an explanation

        One request first, the whole table. `GET /books/featured` has an example saved for
        exactly that path; the example *Any book* was saved for `/books/{{bookId}}`, where
        `{{bookId}}` is defined nowhere, so it is a wildcard and matches too, with fewer points.
        Every other example is dropped, and its `reason` says at which step.
    """),
    code("""
        frame = mockkit.explain(BOOKSHOP, "GET", "/books/featured")
        frame
    """),
    md("""
        The first line says what a mock answers. Then one row per example, the winner first
        and highlighted: its name (and the method and path it was saved for), its status, what
        **decided** its fate (the path rule that matched, or ✗ and the step that dropped it),
        its **score** as a bar, and the **reason**. Examples dropped early come last; the line
        under the table counts those not shown (`frame.view(rows=None)` shows them all).

        The object is a pandas DataFrame with more columns than the view shows: the points of
        each step (`path_points`, `query_points`, `body_points`), the query counts
        (`query_match`, `query_partial`, `query_missing`), `reach` (the control header that would
        get a losing example), `captures` (what the wildcards matched), `problems`, and more:
    """),
    code("""
        print(", ".join(frame.columns))
    """),
    md("""
        The rest of this notebook looks at one step at a time, so here is a helper that hides
        the examples dropped by method or path. Filtering keeps the readable view: the result
        is still an explanation.
    """),
    code("""
        def why(method, path, **request):
            \"\"\"Explain one request against the bookshop, without the examples dropped early.\"\"\"
            frame = mockkit.explain(BOOKSHOP, method, path, **request)
            return frame[~frame["stage"].isin(["method", "path"])]


        why("GET", "/books/featured")
    """),
    md("""
        ## Path rules a to h

        The path step tries eight comparisons in order and stops at the first that matches. The
        looser the comparison, the fewer points (Postman's documented rules):
    """),
    code("""
        from mockkit.matching import PATH_RULES, POINTS

        readable(pd.DataFrame(
            [(rule.letter, rule.name, POINTS["start"] + rule.points, rule.sentence) for rule in PATH_RULES],
            columns=["rule", "name", "path points", "the paths match when"],
        ))
    """),
    md("""
        Only the path is compared: the host part of the saved URL (here `{{baseUrl}}`) never is.
        The bookshop has one example for each rule. One request per rule, and the winner it gets:
    """),
    code("""
        one_request_per_rule = [
            "/books/featured",         # a: identical
            "/books/",                 # b: a trailing slash
            "/authors/ada-lovelace",   # c: saved as /Authors/Ada-Lovelace
            "/AUTHORS/ADA-LOVELACE/",  # d: case and a trailing slash
            "/books/7",                # e: {{bookId}} is a wildcard
            "/members/77",             # f: 77 and 1001 are both ids
            "/members/77/",            # g: ids and a trailing slash
            "/categries",              # h: a typo, close enough to /categories
        ]
        rows = []
        for path in one_request_per_rule:
            winner = mockkit.explain(BOOKSHOP, "GET", path).winner
            rows.append({"request": f"GET {path}", "winner": winner["example"], "saved path": winner["path"],
                         "rule": winner["path_rule"], "path points": int(winner["path_points"]),
                         "score": int(winner["score"])})
        pd.DataFrame(rows)
    """),
    md("""
        A few of them up close. **b**: the example *Shelves* was saved as `/shelves/`; a call to
        `/shelves` matches once the trailing slash is removed from both, for 95 points.
    """),
    code("""
        why("GET", "/shelves")
    """),
    md("""
        **f** (the rule is Postman's; what counts as an id is **mockkit's decision**): an "id"
        is a segment that is all digits, a UUID, or a token of 8 or more letters, digits, `-` or
        `_` with at least one digit and one letter. Ids are set aside on both sides, so
        `/members/77` matches the example saved for `/members/1001`. The same test mockkit uses:
    """),
    code("""
        from mockkit.urls import is_id

        segments = ["77", "1001", "3f2c1a9e-8d4b-4c3a-9f1e-2b7d6c5a4e3f", "order-2024x", "ada-lovelace", "v2"]
        pd.DataFrame({"segment": segments, "an id?": [is_id(s) for s in segments]})
    """),
    code("""
        why("GET", "/members/77")
    """),
    md("""
        **h** (Postman names the rule, "document distance", but not how close is close: the
        threshold is **mockkit's decision**): when nothing else matches, paths with the same
        number of segments are compared letter by letter, and every segment that differs must
        be within an edit distance of 0.2 of its length. A typo passes; a different word does
        not. The reason shows the distance; the threshold is a setting of the mock:
    """),
    code("""
        print("distance threshold:", mockkit.MockOptions().distance_threshold)
        why("GET", "/categries")
    """),
    md("""
        And a path that matches nothing: every example is dropped, nothing is selected, and a
        mock server would answer `404` with Postman's `mockRequestNotFoundError` body. The
        reasons of the dropped examples show how far each path was.
    """),
    code("""
        mockkit.explain(BOOKSHOP, "GET", "/checkout").view(rows=4)
    """),
    md("""
        ## Wildcards beat ids by one point

        `GET /books/7` matches two examples: *Any book* (`/books/{{bookId}}`, rule e, 80 points)
        and *Book 42* (`/books/42`, rule f, because 7 and 42 are both ids: 79 points). The
        wildcard wins by exactly one point. That follows from Postman's points, and it makes
        sense: an example saved with a wildcard says "any book", while `/books/42` was saved for
        one particular book.
    """),
    code("""
        why("GET", "/books/7")
    """),
    md("""
        And `GET /books/42` is identical to the saved path of *Book 42* (rule a, 100 points), which
        beats the wildcard. Wildcard matching can be turned off for a mock (`match_wildcards=False`,
        Postman's `matchWildcards` setting); then `/books/7` falls to *Book 42*.
    """),
    code("""
        why("GET", "/books/42")
    """),
    code("""
        no_wildcards = mockkit.MockOptions(match_wildcards=False)
        frame = mockkit.explain(BOOKSHOP, "GET", "/books/7", options=no_wildcards)
        frame[["example", "path_rule", "score", "selected"]].head(2)
    """),
    md("""
        ## Query scoring

        After the path, the query string (Postman's documented rule). Every key that appears in
        the call or in the example is one of:

        * **match**: on both sides, with the same value;
        * **partial**: on both sides, with different values;
        * **missing**: on one side only.

        If every key matches the example gets **+10** (and, **mockkit's decision**, also when
        neither side has a query string). If some match, it gets **+10 × matches / keys**. If
        none match, it *loses* one point per missing key (at most 10). The *Search* request has
        four examples:
    """),
    code("""
        why("GET", "/search?title=dune&page=2")
    """),
    md("""
        *Dune, page 2* has both keys right (+10). *Dune* matches `title` but has no `page` (1 of
        2: +5), *Emma, page 2* matches `page` but not `title` (also +5), and *Emma* matches
        nothing and misses `page` (−1). The counts behind those points are in the columns
        `query_match`, `query_partial` and `query_missing`:
    """),
    code("""
        frame = mockkit.explain(BOOKSHOP, "GET", "/search?title=emma&page=3")
        readable(frame[["example", "query_match", "query_partial", "query_missing", "query_points", "score",
                        "selected", "reason"]].head(4))
    """),
    md("""
        Here *Emma, page 2* and *Emma* both score 105: a tie, settled by the tie rule.

        ## Ties and the tie rule

        When several examples share the top score, Postman sorts them by example id and takes
        the first one whose status is **200**, else the first one. Postman does not say which way
        it sorts, or where examples without an id go: **mockkit's decision** is ids ascending,
        examples without an id after those with one (in collection order), and, when no tied
        example has status 200, a success (2xx) before an error. The *Shop status* request has
        three examples with the same saved request: *Closed for maintenance* (id `bk-20`, status
        503), *Open* (`bk-21`, 200) and *Busy* (`bk-22`, 200).
    """),
    code("""
        why("GET", "/status")
    """),
    md("""
        *Open* wins: *Closed for maintenance* has the lowest id, but status 200 is preferred, and
        *Busy* comes after *Open* in id order. The `reason` column says which part of the rule
        decided, and the losers' reasons end with the header that reaches them anyway.

        ## Control headers

        A caller can steer the mock with `x-mock-*` headers (Postman's; they steer the matching
        and are never themselves compared with the examples' headers):

        | header | effect |
        |---|---|
        | `x-mock-response-code: 503` | keep only examples with that status, then score as usual |
        | `x-mock-response-name: Busy` | serve the example with that name, without comparing the path |
        | `x-mock-response-id: bk-22` | serve the example with that id, without comparing the path |
        | `x-mock-match-request-body: true` | drop examples whose saved body differs from the call's |
        | `x-mock-match-request-headers: accept-language` | drop examples whose saved header differs |
        | `x-mock-response-delay: 300` | answer after 300 ms (notebook 04) |
    """),
    code("""
        why("GET", "/status", headers={"x-mock-response-code": "503"})
    """),
    md("""
        With `x-mock-response-code` every example with another status is dropped at the
        `response-code` stage, before the path is even compared. Name and id pick an example
        directly: `decided_by` in the frame's `attrs` says so, and the path is not scored.
    """),
    code("""
        frame = mockkit.explain(BOOKSHOP, "GET", "/status", headers={"x-mock-response-name": "Busy"})
        print(frame.attrs)
        frame[frame["path"] == "/status"]
    """),
    code("""
        why("GET", "/status", headers={"x-mock-response-id": "bk-22"})
    """),
    md("""
        ### Bodies

        *Add a book* (`POST /books`) has two examples, saved with the bodies `{"title": "Dune"}`
        (*Book added*, 201) and `{"title": ""}` (*Title missing*, 422). Bodies are not compared
        unless asked for, but an example whose saved body equals the call's body gets **+5**. So
        sending an empty title gets the 422 example:
    """),
    code("""
        json_header = {"content-type": "application/json"}
        why("POST", "/books", headers=json_header, body='{"title": ""}')
    """),
    md("""
        With `x-mock-match-request-body: true`, an example whose saved body differs is dropped.
        A title that no example was saved with then matches nothing (a server would answer 404),
        and the reasons say which JSON field differs:
    """),
    code("""
        why("POST", "/books", headers={**json_header, "x-mock-match-request-body": "true"},
            body='{"title": "Emma"}')
    """),
    md("""
        ### Headers

        *Hello* and *Bonjour* were saved for `GET /greeting` with `Accept-Language: en` and `fr`.
        Headers are only compared when asked for, by name, with
        `x-mock-match-request-headers`:
    """),
    code("""
        why("GET", "/greeting", headers={"accept-language": "fr"})
    """),
    code("""
        why("GET", "/greeting", headers={"accept-language": "fr",
                                          "x-mock-match-request-headers": "accept-language"})
    """),
    md("""
        ## The long form: every check, one row each

        `reason` is a summary. For the full record, `.steps` lists every comparison made, one
        row per example and step, with its points and a sentence (`readable` shows any such
        table with its sentences left-aligned):
    """),
    code("""
        frame = mockkit.explain(BOOKSHOP, "GET", "/search?title=emma&page=3")
        steps = frame[frame["kept"]].steps
        readable(steps)
    """),
    md("""
        A request whose method no example uses stops before any path is compared; the frame's
        `attrs` carry a note saying so.
    """),
    code("""
        frame = mockkit.explain(BOOKSHOP, "DELETE", "/books/42")
        frame.attrs
    """),
    md("""
        ## Try it

        Change the requests above: a query parameter more or less, another header, a typo in the
        path. Or open `data/bookshop.postman_collection.json`, add an example, and explain again.
        The same tables come from a running server with `mock.explain(response)` (notebook 01),
        and live, while you type, in `mock.explore()`.
    """),
]

# ================================================================== 03 · dynamic responses

DYNAMIC_RESPONSES = [
    md("""
        # Dynamic responses: variables, fake data and templates

        An example's response is saved text, so a plain mock answers the same thing every time.
        Postman mocks (and mockkit) fill `{{...}}` placeholders in the saved response when they
        answer, which makes the answers feel alive:

        * `{{name}}`: a **variable** of the collection or of an environment;
        * `{{$randomFullName}}`, `{{$guid}}`, ...: **dynamic variables**, fresh fake data on
          every call;
        * `{{$body 'user.name'}}`, `{{$queryParams 'lang'}}`, `{{$pathSegments '0'}}`,
          `{{$headers 'x-request-id'}}`: **templates** that copy parts of the request;
        * `{{profileId}}` in a path that nothing defines: a **wildcard**, whose value (the
          segment the call used) can be repeated in the response.

        This notebook uses `data/profiles.postman_collection.json`, a small API made for it, and
        the environment `data/profiles-dev.postman_environment.json`.
    """),
    code("""
        import pandas as pd

        import mockkit
        from mockkit.report import readable

        PROFILES = "data/profiles.postman_collection.json"
        DEV = "data/profiles-dev.postman_environment.json"
        mockkit.examples(PROFILES)
    """),
    md("""
        ## Collection and environment variables

        A collection can define variables, and an environment (a separate file, one per
        stage: dev, staging, ...) can define more or override them. The profiles collection
        defines these; note that `supportEmail` itself uses another variable:
    """),
    code("""
        collection = mockkit.load_collection(PROFILES)
        environment = mockkit.load_environment(DEV)
        pd.DataFrame({
            "collection": {v.key: v.value for v in collection.variables},
            "environment": {v.key: v.value for v in environment.variables},
        }).fillna("")
    """),
    md("""
        The example *About* answers with four variables. `seed=1` makes the fake data
        repeatable (more on that below).
    """),
    code("""
        print(collection.examples[0].response.body)
    """),
    code("""
        mock = mockkit.serve(PROFILES, seed=1)
        r = mock.get("/about")
        print(r.text)
    """),
    md("""
        `{{supportEmail}}` expanded into `help@{{domain}}` and then into `help@acme.test`:
        variables are resolved again and again (up to 19 times, as in Postman). `{{region}}` is
        defined nowhere, so it stays exactly as written: Postman does the same. mockkit also lists
        it in the `problems` column of the explanation, so a forgotten variable does not go
        unnoticed:
    """),
    code("""
        readable(mock.explain(r)[["example", "selected", "problems"]].head(3))
    """),
    md("""
        Now serve the same collection **with the dev environment**. Serving a collection that
        is already served replaces the running server (same port), so `mock` simply gets the new
        one. The environment defines `region` and overrides `company`: when both define a name,
        the environment wins.
    """),
    code("""
        mock = mockkit.serve(PROFILES, environment=DEV, seed=1)
        print(mock.get("/about").text)
    """),
    md("""
        ## Dynamic variables: fake data

        Postman has 118 dynamic variables, from `{{$guid}}` to `{{$randomLoremParagraphs}}`.
        Each occurrence gets a fresh value on every call. mockkit has all of them, each with a
        description and a typical value:
    """),
    code("""
        from mockkit.fakes import DYNAMIC

        dynamic = pd.DataFrame(
            [(d.name, d.description, d.example) for d in DYNAMIC.values()],
            columns=["name", "description", "typical value"],
        )
        print(len(dynamic), "dynamic variables")
        readable(dynamic.head(12))
    """),
    code("""
        readable(dynamic[dynamic["name"].str.contains("Name|Email|City|Color|Price")])
    """),
    md("""
        The example *Random person* uses nine of them in its body, and `{{$guid}}` in a response
        header too. Two calls, two different people:
    """),
    code("""
        print(collection.examples[1].response.body)
    """),
    code("""
        for _ in range(2):
            r = mock.get("/people/random")
            print(r.headers["x-request-id"], r.json())
    """),
    md("""
        ### Seeds make fake data repeatable

        Random data is good for exploring and bad for tests that compare outputs. Every server
        started with the same `seed` produces the same sequence of values. Restart the server
        with `seed=1` twice and compare the first three people; `seed=2` gives another sequence.
        (Times such as `{{$isoTimestamp}}` are the real clock, so they always change.)
    """),
    code("""
        def first_people(seed, count=3):
            server = mockkit.serve(PROFILES, environment=DEV, seed=seed)  # replaces `mock`: a fresh start
            return [server.get("/people/random").json()["name"] for _ in range(count)]


        first = first_people(seed=1)
        again = first_people(seed=1)
        other = first_people(seed=2)
        print(first, again, other, sep="\\n")
        assert first == again and first != other
    """),
    code("""
        mock = mockkit.serve(PROFILES, environment=DEV, seed=1)
    """),
    md("""
        ## Templates: responses made from the request

        The example *Profile created* copies parts of the call into its answer:

        | template | gives |
        |---|---|
        | `{{$body 'user.name'}}` | a value from the JSON body, by a dotted path (`tags.0` is the first item of a list) |
        | `{{$body 'user.address.city' 'unknown'}}` | the same, with a default when the body has no such value |
        | `{{$queryParams 'lang'}}` | a query parameter |
        | `{{$pathSegments '0'}}` | a path segment, counted from 0 |
        | `{{$headers 'x-request-id'}}` | a request header (the name is not case-sensitive) |
    """),
    code("""
        print(collection.examples[2].response.body)
    """),
    code("""
        r = mock.post(
            "/profiles?lang=fr",
            json={"user": {"name": "Ada", "address": {"city": "London"}}, "tags": ["math", "poetry"]},
            headers={"X-Request-Id": "req-0001"},
        )
        print(r.status_code)
        print(r.text)
    """),
    md("""
        A value is inserted exactly as it is, not quoted: the example's author put the quotes
        around each template. A value the call does not have becomes the default, or empty text
        when there is none:
    """),
    code("""
        r = mock.post("/profiles", json={"user": {"name": "Grace"}})
        print(r.text)
    """),
    md("""
        ## Wildcard captures

        The example *Profile* was saved for `/profiles/{{profileId}}`. Since no variable is
        called `profileId`, that segment is a wildcard: it matches any one segment, and the
        value the call used replaces `{{profileId}}` in the response.
    """),
    code("""
        print(collection.examples[3].response.body)
        r = mock.get("/profiles/ada-42")
        print(r.text)
    """),
    md("""
        ## Unknown names are left as they are

        The example *Legacy status* has two mistakes: a variable `{{tenant}}` that nothing
        defines, and a misspelt dynamic variable `{{$randomFulName}}`. Postman leaves unknown
        names in the response as written, and so does mockkit; the explanation's `problems`
        column says what is wrong, with a suggestion for the misspelling.
    """),
    code("""
        r = mock.get("/legacy")
        print(r.text)
        readable(mock.explain(r)[["example", "selected", "problems"]].head(1))
    """),
    md("""
        The same list, for the whole collection at once, from the engine behind the server
        (keyed by each example's place in the file). Notebook 05 shows the checker, which finds
        these and other mistakes before you serve a collection.
    """),
    code("""
        mock.engine.problems()
    """),
    md("""
        ## Clean up
    """),
    code("""
        mock.stop()
        mock
    """),
]

# ================================================================ 04 · mock in your tests

MOCK_IN_YOUR_TESTS = [
    md("""
        # Mocks in your tests

        Code that calls an API is hard to test against the real API: the tests get slow, flaky
        (the network, rate limits, data that changes), need credentials, and can hardly make the
        API fail on purpose. A mock fixes all of that: the answers come from your collection's
        examples, instantly, the same every time, and you choose when the API "breaks".

        mockkit offers two ways in:

        * **an httpx transport**: no server and no socket at all; requests made by an
          `httpx.Client` are answered in-process. Fast, ideal when your code lets you pass in
          the client;
        * **a real server** (`mockkit.serve`, or the pytest fixture `mockkit_server`): a URL that
          any HTTP client can call, even another process or a browser.

        Both record every call, so a test can also check *what your code sent*; and in pytest
        both are **strict**: a request your collection has no example for fails the test, with
        the examples that came closest and why they lost.
    """),
    md("""
        ## The code under test

        Pretend this is your project: a small client for the demo shop API (the collection
        bundled with mockkit). It lives in a folder of its own, with its tests next to it. The
        client raises `ShopUnavailable` when the shop answers with a 5xx status, and returns
        `None` for a user that does not exist.
    """),
    code("""
        import sys
        import tempfile
        import time
        from pathlib import Path

        import httpx

        import mockkit
        from mockkit.demo import DEMO_COLLECTION  # the path of the bundled demo collection

        project = Path(tempfile.mkdtemp(prefix="shop-project-"))
        sys.path.insert(0, str(project))
        project
    """),
    code("""
        %%writefile {project}/shop_client.py
        import httpx


        class ShopUnavailable(Exception):
            \"\"\"The shop answered with a server error (5xx).\"\"\"


        class ShopClient:
            def __init__(self, http: httpx.Client):
                self.http = http

            def users(self, page=1):
                params = {"page": page} if page != 1 else None
                return self._ok(self.http.get("/users", params=params))["users"]

            def user(self, user_id):
                response = self.http.get(f"/users/{user_id}")
                if response.status_code == 404:
                    return None
                return self._ok(response)

            def create_user(self, name, email):
                return self._ok(self.http.post("/users", json={"name": name, "email": email}))

            def user_orders(self, user_id):
                response = self.http.get(f"/users/{user_id}/orders")
                if response.status_code == 404:
                    return []  # "no orders yet"... or a URL the API does not have?
                return self._ok(response)["orders"]

            @staticmethod
            def _ok(response):
                if response.status_code >= 500:
                    raise ShopUnavailable(f"{response.status_code}: {response.text}")
                response.raise_for_status()
                return response.json()
    """),
    code("""
        from shop_client import ShopClient, ShopUnavailable
    """),
    md("""
        ## 1. The httpx transport: no socket at all

        `mockkit.transport(collection)` returns an httpx transport. Give it to an `httpx.Client`
        (any `base_url` will do; nothing leaves the process) and the mock answers, with exactly
        the same rules as the server. `seed=1` keeps the fake data repeatable.
    """),
    code("""
        transport = mockkit.transport(DEMO_COLLECTION, seed=1)
        shop = ShopClient(httpx.Client(transport=transport, base_url="http://shop.test"))

        print(shop.users())
        print(shop.users(page=2))
        assert [u["name"] for u in shop.users(page=2)] == ["Grace Hopper"]
    """),
    md("""
        The demo's *User created* example copies the name from the request body
        (`{{$body 'name'}}`), so the client gets back what it sent:
    """),
    code("""
        created = shop.create_user("Katherine Johnson", "katherine@example.com")
        print(created)
        assert created["name"] == "Katherine Johnson"
    """),
    md("""
        The transport keeps a call log too: `transport.calls` is the same table as `mock.calls`.
    """),
    code("""
        transport.calls[["method", "path", "query", "status", "example"]]
    """),
    md("""
        ## 2. A real server, and asserting on `mock.calls`

        When the code under test builds its own connection, or is not Python at all, give it
        the server's URL. `mock.calls` is a pandas DataFrame, so asserting on what was called is
        a one-liner; `mock.clear_calls()` starts a fresh log.
    """),
    code("""
        mock = mockkit.serve(DEMO_COLLECTION, seed=1)
        shop = ShopClient(httpx.Client(base_url=mock.url))

        shop.users()
        shop.user(1)
        shop.create_user("Dorothy Vaughan", "dorothy@example.com")

        calls = mock.calls
        calls[["method", "path", "status", "example", "score"]]
    """),
    code("""
        assert calls["path"].tolist() == ["/users", "/users/1", "/users"]
        assert calls["status"].tolist() == [200, 200, 201]
        assert calls.loc[calls["method"] == "POST", "example"].item() == "User created"
    """),
    md("""
        ### Call assertions

        Asking "was this called, how often, with what?" is common enough to have its own
        methods, on the server and on the transport alike: `assert_called(method, path,
        times=..., params=..., headers=..., json=...)`, `assert_called_once(...)`,
        `assert_not_called(...)`, and `calls_to(...)`, which returns the matching calls. A path
        may use `{{name}}`, `:name` or `*` for a segment. Parameters and headers you name must
        match; others are not compared.
    """),
    code("""
        mock.assert_called("GET", "/users/{{id}}", times=1)
        mock.assert_called_once("POST", "/users", json={"name": "Dorothy Vaughan", "email": "dorothy@example.com"})
        mock.assert_not_called("DELETE", "/users/*")
        mock.calls_to("GET", "/users/:id")
    """),
    md("""
        When an assertion fails, its message lists the calls that came closest and, for each, why
        it did not count:
    """),
    code("""
        try:
            mock.assert_called("GET", "/users", params={"page": 2})
        except AssertionError as failure:
            print(failure)
    """),
    code("""
        mock.clear_calls()
        len(mock.calls)
    """),
    md("""
        ### Requests your collection has no example for

        `ShopClient.user_orders` above reads a 404 as "no orders yet". But the demo API has no
        `/users/{id}/orders` at all: every call gets the mock's 404 *not found* answer, and a
        test that checks "a new user has no orders" would pass for the wrong reason. The mock
        knows better: `mock.unmatched_calls()` lists the calls it answered without an example,
        and `mock.assert_all_matched()` fails with the examples that came closest and why each
        lost. (In a notebook nothing fails until you ask; the pytest fixtures ask for you, see
        section 5.)
    """),
    code("""
        assert shop.user_orders(1) == []   # looks fine...
        try:
            mock.assert_all_matched()
        except AssertionError as failure:
            print(failure)
    """),
    code("""
        mock.reset()   # empty call log, no server response, nothing remembered: as if just started
        mock.unmatched_calls()
    """),
    md("""
        ## 3. Make the API fail on purpose

        **Per request**, with the control header `x-mock-response-code`: the demo has a 404
        example for users, so a client whose every request asks for 404 exercises the "no such
        user" branch.
    """),
    code("""
        asks_for_404 = ShopClient(httpx.Client(base_url=mock.url, headers={"x-mock-response-code": "404"}))
        assert asks_for_404.user(42) is None
        mock.calls[["path", "status", "example"]]
    """),
    md("""
        **For every request**, with a *server response*: `mock.set_server_response(status, body)`
        makes the mock answer every call with that 5xx response, whatever the collection says,
        until `mock.clear_server_response()`. The perfect way to test that your code handles an
        outage.
    """),
    code("""
        mock.set_server_response(503, {"error": "down for maintenance"})
        try:
            shop.users()
        except ShopUnavailable as exc:
            print("ShopUnavailable:", exc)
        else:
            raise AssertionError("the client should have raised ShopUnavailable")
        mock
    """),
    code("""
        mock.clear_server_response()
        assert shop.users()[0]["name"] == "Ada Lovelace"
    """),
    md("""
        ## 4. Slow answers

        `x-mock-response-delay: 300` delays one answer by 300 ms; `mockkit.serve(..., delay=300)`
        delays every answer (also `"3G"`, 100 ms, and `"2G"`, 300 ms). Use it to check loading
        states and timeouts:
    """),
    code("""
        started = time.perf_counter()
        r = mock.get("/health", headers={"x-mock-response-delay": "300"})
        print(r.status_code, f"{time.perf_counter() - started:.2f} s")
    """),
    code("""
        impatient = httpx.Client(base_url=mock.url, timeout=0.1)
        try:
            impatient.get("/health", headers={"x-mock-response-delay": "500"})
        except httpx.TimeoutException as exc:
            print("timed out as expected:", type(exc).__name__)
    """),
    md("""
        ## 5. In pytest: strict fixtures

        Installing mockkit registers a pytest plugin with two fixtures: `mockkit_server` (a real
        server) and `mockkit_transport` (an httpx transport). Both are factories: call them with
        a collection and the options of `mockkit.serve`, or let a `@pytest.mark.mockkit(...)`
        marker on the test or module name the collection, environment and seed.

        They are **strict**: when a test's body has run, any request its mocks answered without
        an example fails the test. Here is a test file for our client; the marker on the module
        serves the demo to every test, and the project's `pytest.ini` shares one server across
        the whole session (`mockkit_scope = session`), reset before each test:
    """),
    code("""
        %%writefile {project}/pytest.ini
        [pytest]
        mockkit_scope = session
        asyncio_default_fixture_loop_scope = function
    """),
    code("""
        %%writefile {project}/test_shop_client.py
        import httpx
        import pytest

        from mockkit.demo import DEMO_COLLECTION
        from shop_client import ShopClient, ShopUnavailable

        pytestmark = pytest.mark.mockkit(DEMO_COLLECTION)  # your collection's path goes here


        def test_lists_users(mockkit_server):
            mock = mockkit_server()
            shop = ShopClient(httpx.Client(base_url=mock.url))
            assert [u["id"] for u in shop.users()] == [1, 2]
            mock.assert_called_once("GET", "/users")


        def test_second_page(mockkit_server):
            mock = mockkit_server()
            ShopClient(httpx.Client(base_url=mock.url)).users(page=2)
            mock.assert_called_once("GET", "/users", params={"page": 2})


        def test_creates_user(mockkit_server):
            mock = mockkit_server()
            ShopClient(httpx.Client(base_url=mock.url)).create_user("Ann", "ann@example.com")
            mock.assert_called_once("POST", "/users", json={"name": "Ann", "email": "ann@example.com"})


        def test_missing_user_is_none(mockkit_server):
            mock = mockkit_server()
            shop = ShopClient(httpx.Client(base_url=mock.url, headers={"x-mock-response-code": "404"}))
            assert shop.user(42) is None  # the "User not found" example: a deliberate 404


        def test_outage_raises(mockkit_server):
            mock = mockkit_server()
            mock.set_server_response(503, {"error": "down"})  # cleared before the next test
            with pytest.raises(ShopUnavailable):
                ShopClient(httpx.Client(base_url=mock.url)).users()


        def test_without_a_socket(mockkit_transport):
            shop = ShopClient(httpx.Client(transport=mockkit_transport(), base_url="http://shop.test"))
            assert shop.user(7)["id"] == "7"


        @pytest.mark.asyncio
        async def test_async_client(mockkit_server):
            mock = mockkit_server()
            async with httpx.AsyncClient(base_url=mock.url) as client:
                assert (await client.get("/health")).json()["status"] == "ok"
    """),
    md("""
        Run pytest on the project folder, as you would in a terminal (`python -m pytest`), and
        show what it prints:
    """),
    code("""
        import subprocess


        def run_pytest(*args):
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "--color=no", "-p", "no:cacheprovider", *args],
                cwd=project, capture_output=True, text=True, check=False,
            )
            print(result.stdout[-6000:], result.stderr[-2000:])
            return result.returncode


        assert run_pytest("-v", "test_shop_client.py") == 0
    """),
    md("""
        Now the test that passed for the wrong reason in section 2. With a strict fixture it
        fails, and the message names the request, the examples that came closest, why each
        lost, and the command that reruns the test with the same fake data:
    """),
    code("""
        %%writefile {project}/test_orders.py
        import httpx

        from mockkit.demo import DEMO_COLLECTION
        from shop_client import ShopClient


        def test_new_user_has_no_orders(mockkit_server):
            shop = ShopClient(httpx.Client(base_url=mockkit_server(DEMO_COLLECTION).url))
            assert shop.user_orders(1) == []
    """),
    code("""
        assert run_pytest("test_orders.py") == 1
    """),
    md("""
        The fix belongs in the client (or in the collection, if the API does have that
        endpoint). When a test sends unmatched requests on purpose, say so:
        `mockkit_server(..., strict=False)`, `@pytest.mark.mockkit(strict=False)`, or
        `mockkit_strict = false` in the ini file for a whole project. `expect=["User found", ...]`
        makes a test fail when examples it means to use were never served. The plugin's
        reference page is `docs/pytest-plugin.md`.
    """),
    md("""
        ## Clean up

        Stop the server and remove the pretend project.
    """),
    code("""
        import shutil

        mock.stop()
        sys.path.remove(str(project))
        shutil.rmtree(project)
        mock
    """),
]

# ============================================================== 05 · your own collection

YOUR_OWN_COLLECTION = [
    md("""
        # Your own collection: load, check, fix

        To mock your own API, export its collection from Postman: in the sidebar, on the
        collection, **⋯ → Export → Collection v2.1**. Do the same for an environment you use
        (**Environments → ⋯ → Export**). Put the files next to your notebook.

        This notebook uses such an export, `data/todo.postman_collection.json` (the API of a
        to-do app), with `data/todo-dev.postman_environment.json`. Like many real collections it
        has a few mistakes; we will find them with mockkit's checker and fix them.
    """),
    code("""
        import json
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        import pandas as pd

        import mockkit
        from mockkit.checks import check
        from mockkit.report import readable

        TODO = "data/todo.postman_collection.json"
        DEV = "data/todo-dev.postman_environment.json"
    """),
    md("""
        ## Load it

        `mockkit.load_collection` reads a Collection v2.0 or v2.1 file (a path, JSON text or a
        dict) and `mockkit.load_environment` an environment. You rarely need them directly
        (`serve`, `explain` and `examples` take the file name), but they are a quick way to see
        what mockkit understood.
    """),
    code("""
        collection = mockkit.load_collection(TODO)
        environment = mockkit.load_environment(DEV)
        collection, environment.name
    """),
    code("""
        mockkit.examples(TODO)
    """),
    md("""
        ## Which value does a variable get?

        The paths use `{{apiVersion}}`, and both files define it. Postman resolves variables from
        the **environment first, then the collection** (values you set in Postman as "current"
        values, and globals, are not used by mocks). So with the dev environment `apiVersion` is
        `v2`, `userName` comes from the environment, and `plan`, which only the collection
        defines, comes from the collection:
    """),
    code("""
        names = {v.key: v.value for v in collection.variables}
        overrides = {v.key: v.value for v in environment.variables}
        pd.DataFrame(
            [(key, names.get(key, ""), overrides.get(key, ""), overrides.get(key, names.get(key)))
             for key in dict.fromkeys([*names, *overrides])],
            columns=["variable", "collection", "environment", "used"],
        )
    """),
    md("""
        It matters for matching, because variables are resolved in the saved paths before they
        are compared. `GET /v2/me` without the environment only reaches *Me* (saved as
        `/v1/me`) through the loosest path rule, h (a one-letter difference); with the
        environment the paths are identical:
    """),
    code("""
        without = mockkit.explain(TODO, "GET", "/v2/me")
        with_dev = mockkit.explain(TODO, "GET", "/v2/me", environment=DEV)
        readable(pd.concat([without.head(1).assign(environment="none"), with_dev.head(1).assign(environment="dev")])[
            ["environment", "example", "path", "path_rule", "score", "reason"]])
    """),
    md("""
        A served mock answers the same way. (`with mockkit.serve(...) as mock:` stops the server
        at the end of the block.)
    """),
    code("""
        with mockkit.serve(TODO, environment=DEV) as mock:
            print(mock.get("/v2/me").json())
    """),
    md("""
        ## Check it

        `mockkit.checks.check` looks at every example the way a mock would and reports what
        will surprise you later. Each finding has a severity (`warning`s are real problems,
        `info` is worth knowing), a kind, `where` the example sits in the file (a JSON path),
        its name, and a message saying what to do.
    """),
    code("""
        findings = pd.DataFrame(check(mockkit.MockEngine(TODO, DEV)))
        readable(findings)
    """),
    md("""
        Three warnings:

        1. **shadowed**: *No todos yet* was saved with exactly the same request as *OK*, and the
           same status, so the tie rule always picks *OK*: the empty list can only be reached by
           its id or name. (The info line says *Todo not found* is shadowed too, but a caller can
           reach it with `x-mock-response-code: 404`; that is fine.)
        2. **duplicate-name**: two examples are called *OK*; `x-mock-response-name: OK` could
           only ever serve one of them.
        3. **template**: `{{$isoTimeStamp}}` is not a dynamic variable (the checker suggests
           `{{$isoTimestamp}}`); it would be sent as written.

        The same checker runs from the command line, for scripts and CI. It exits with 1 when
        there are warnings:
    """),
    code("""
        result = subprocess.run([sys.executable, "-m", "mockkit", "check", TODO, "--env", DEV],
                                capture_output=True, text=True, check=False)
        print(result.stdout, result.stderr)
        print("exit code:", result.returncode)
    """),
    md("""
        ## Fix it

        You would usually fix these in Postman and export again. Here we fix a copy of the file
        in Python, which also shows how to use `where`: it is the path to the example inside the
        JSON document.
    """),
    code("""
        import re

        document = json.loads(Path(TODO).read_text(encoding="utf-8"))


        def at(document, where):
            \"\"\"The part of a collection at a checker's `where`, e.g. item[0].item[2].response[0].\"\"\"
            node = document
            for key, index in re.findall(r"(\\w+)\\[(\\d+)\\]", where):
                node = node[key][int(index)]
            return node


        for where in findings["where"]:
            print(where, "->", at(document, where)["name"])
    """),
    md("""
        1. Give *No todos yet* a request of its own. A query parameter is enough: a call to
           `/v2/todos?owner=new-user` now matches it better than *OK*.
    """),
    code("""
        empty = at(document, "item[0].item[0].response[1]")
        url = empty["originalRequest"]["url"]
        url["raw"] += "?owner=new-user"
        url["query"] = [{"key": "owner", "value": "new-user"}]
    """),
    md("""
        2. Rename the second *OK* (the `POST` example) and 3. fix the misspelt variable:
    """),
    code("""
        created = at(document, "item[0].item[2].response[0]")
        created["name"] = "Todo created"
        created["body"] = created["body"].replace("{{$isoTimeStamp}}", "{{$isoTimestamp}}")
        print(created["body"])
    """),
    md("""
        Check again: `MockEngine` (like everything in mockkit) takes the parsed document as well
        as a file name. Only the two `info` notes remain.
    """),
    code("""
        readable(pd.DataFrame(check(mockkit.MockEngine(document, DEV)))[["severity", "kind", "example", "message"]])
    """),
    code("""
        workdir = Path(tempfile.mkdtemp(prefix="todo-fixed-"))
        fixed = workdir / "todo.postman_collection.json"
        fixed.write_text(json.dumps(document, indent=2), encoding="utf-8")

        result = subprocess.run([sys.executable, "-m", "mockkit", "check", str(fixed), "--env", DEV],
                                capture_output=True, text=True, check=False)
        print(result.stdout, result.stderr)
        print("exit code:", result.returncode)
    """),
    md("""
        Serve the fixed file: the empty list is reachable by its own request now, and the new
        to-do gets a real timestamp.
    """),
    code("""
        mock = mockkit.serve(fixed, environment=DEV)
        print(mock.get("/v2/todos", params={"owner": "new-user"}).json())
        print(mock.post("/v2/todos", json={"title": "Water the plants"}).json())
        mock.calls[["method", "path", "query", "status", "example"]]
    """),
    md("""
        ## Writing your own examples

        Sooner or later you add examples of your own: in Postman (send a request, **Save
        Response → Save as example**) or in code, as below. One choice matters most for
        matching: how the example's URL names the part of the path that varies.

        * **`:id` with a value**: Postman's path variables. The URL is `{{baseUrl}}/notes/:id`,
          and the Params tab gives `id` a value, say `1`. The mock compares the path with the
          value filled in: the example was saved for `/notes/1`. (A `:id` left without a value
          is a common slip: `mockkit check` points it out and says what to do.)
        * **`{{noteId}}` that no variable defines**: a **wildcard**. The example answers any one
          segment there, and the segment's value can be repeated in the response.

        Here is a small collection written in Python, with one example of each kind. Its
        `baseUrl` carries a base path (`/api/v1`), which is part of the path the mock answers.
    """),
    code("""
        SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


        def item(name, path, example, body, variables=None):
            \"\"\"A request with one saved example (v2.1): the same URL for both.\"\"\"
            url = {"raw": "{{baseUrl}}/" + "/".join(path), "host": ["{{baseUrl}}"], "path": path}
            if variables:
                url["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
            request = {"method": "GET", "header": [], "url": url}
            response = {"name": example, "originalRequest": request, "code": 200, "status": "OK",
                        "header": [{"key": "Content-Type", "value": "application/json"}], "body": body}
            return {"name": name, "request": request, "response": [response]}


        notes = {
            "info": {"name": "Notes", "schema": SCHEMA},
            "variable": [{"key": "baseUrl", "value": "https://notes.example.test/api/v1"}],
            "item": [
                item("Get note 1", ["notes", ":id"], "Note 1", '{"id": 1, "text": "Buy milk"}', {"id": "1"}),
                item("Get any note", ["notes", "{{noteId}}"], "Any note", '{"id": "{{noteId}}", "text": "..."}'),
            ],
        }
        mockkit.examples(notes)[["name", "method", "path", "url"]]
    """),
    md("""
        `path` is what the mock answers, `url` what was saved. Now three requests (each score
        includes +10 for the query string: neither side has one). `/notes/1` is identical to
        the path of *Note 1* (rule a) and beats the wildcard (rule e) by 20 points. `/notes/7`
        goes to the wildcard: *Note 1* still matches, by rule f because 7 and 1 are both ids,
        but one point lower. And `/notes/shopping` only fits the wildcard.
    """),
    code("""
        rows = []
        for path in ["/api/v1/notes/1", "/api/v1/notes/7", "/api/v1/notes/shopping"]:
            frame = mockkit.explain(notes, "GET", path)
            scores = dict(zip(frame["example"], frame["score"]))
            rows.append({"request": f"GET {path}", "winner": frame.winner["example"],
                         "Note 1": scores["Note 1"], "Any note": scores["Any note"]})
        readable(pd.DataFrame(rows))
    """),
    md("""
        The wildcard's value fills `{{noteId}}` in the response:
    """),
    code("""
        with mockkit.serve(notes) as notes_mock:
            print(notes_mock.get("/api/v1/notes/shopping").json())
            print(notes_mock.get("/api/v1/notes/1").json())
    """),
    md("""
        So: give `:id` a value when an example is about one particular record (note 1, the
        admin user), and use an undefined `{{name}}` when it stands for any record. When both
        exist for one path, the particular example answers its own value and the wildcard
        answers the rest.
    """),
    md("""
        ## When a file cannot be read

        A file that is not a usable collection raises `mockkit.CollectionError`, whose message
        names the file, the place inside it (a JSON path) and what was expected there. The
        error has those three parts as attributes too: `source`, `path` and `expected`. A few
        common mistakes:
    """),
    code("""
        text = Path(TODO).read_text(encoding="utf-8")
        broken = json.loads(text)
        broken["item"][0]["item"][0]["response"][0]["code"] = "two hundred"
        mistakes = {
            "a file that is not there": workdir / "missing.postman_collection.json",
            "a download cut short": text[:300],
            "an environment passed as the collection": DEV,
            "a Collection v1 export": {"id": "1", "name": "Old", "order": [], "requests": []},
            "an example with a bad status code": broken,
        }
        for what, source in mistakes.items():
            try:
                mockkit.load_collection(source)
            except mockkit.CollectionError as error:
                print(f"{what}:\\n    {error}\\n")
    """),
    md("""
        The command line says the same in one line, with exit code 2:
    """),
    code("""
        truncated = workdir / "truncated.postman_collection.json"
        truncated.write_text(text[:300], encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "mockkit", "check", str(truncated)],
                                capture_output=True, text=True, check=False)
        print(result.stderr, "exit code:", result.returncode)
    """),
    md("""
        ## Clean up
    """),
    code("""
        import shutil

        mock.stop()
        shutil.rmtree(workdir)
        mock
    """),
]

# ====================================================================================== 06 · hub

HUB = [
    md("""
        # Many mocks behind one API: the hub

        Postman lets scripts manage mock servers through its API: upload a collection, create
        a mock for it, call the mock, read its call log, make it private, switch on a canned
        outage. Its guide for this ("mock with the API") goes: find the collection's UID, `POST
        /mocks`, call the `mockUrl` it returns, then read `GET /mocks/{id}/call-logs`.

        mockkit's **hub** is the local equivalent: one process that hosts many mocks and answers
        the same management API, with Postman's JSON shapes and error names, keeping its state in
        SQLite so it survives restarts. Scripts written for Postman's API need only a different
        base URL and key. From a shell it is `mockkit hub --port 3100 --data ./hub-data`; in a
        notebook, `mockkit.serve_hub()` runs it in the background of the kernel.
    """),
    code("""
        import json
        import shutil
        import tempfile

        import httpx

        import mockkit
        from mockkit.demo import DEMO_COLLECTION

        data = tempfile.mkdtemp(prefix="mockkit-hub-")  # where the hub keeps its state
        hub = mockkit.serve_hub(data)
        hub
    """),
    md("""
        ## The API key

        Every management call needs the hub's key in the `x-api-key` header, as Postman's API
        needs yours. On first start the hub generates one and stores it in the data folder (pass
        `api_key=` to choose it). `hub.api_key` holds it; `hub.client` is a Python client that
        sends it for you (`mockkit.Hub(url, api_key)` makes one for a hub running elsewhere).
    """),
    code("""
        api_key = hub.api_key
        api = hub.client
        print("key:", api_key[:4] + "…", "(stored in", data + ")")
    """),
    md("""
        ## 1. Upload a collection

        `POST /collections` with the collection export, as in Postman's API. The answer carries
        its `uid` (`<owner>-<id>`), which is how mocks refer to it. Here it is the demo shop that
        comes with mockkit.
    """),
    code("""
        collection = api.create_collection(DEMO_COLLECTION)["collection"]
        collection
    """),
    md("""
        ## 2. Create a mock

        `POST /mocks` with `{"mock": {"collection": uid, "name": ...}}`. The answer is Postman's
        mock object; `mockUrl` is where the mock answers: every path after it is matched against
        the collection's examples.
    """),
    code("""
        mock = api.create_mock(collection["uid"], name="shop")["mock"]
        print(json.dumps(mock, indent=2))
    """),
    md("""
        ## 3. Call the mock

        Any HTTP client works; the control headers (`x-mock-response-code`, ...) behave as on a
        single mock.
    """),
    code("""
        r = httpx.get(mock["mockUrl"] + "/users/42")
        print(r.status_code, r.json())
        r = httpx.get(mock["mockUrl"] + "/users/42", headers={"x-mock-response-code": "404"})
        print(r.status_code, r.json())
    """),
    md("""
        The same calls without the Python client, the way a script written for Postman's API
        makes them (only the base URL and the key differ):
    """),
    code("""
        admin = httpx.Client(base_url=hub.url, headers={"x-api-key": api_key})
        print(admin.get(f"/mocks/{mock['id']}").json()["mock"]["name"])
        print(httpx.get(f"{hub.url}/mocks").status_code, "without the key")
    """),
    md("""
        ## 4. The call log

        `GET /mocks/{id}/call-logs`: newest first, with Postman's filters (`requestMethod`,
        `responseStatusCode`, `since`, ...) and paging (`limit`, `cursor`). `include=` adds
        headers and bodies.
    """),
    code("""
        logs = api.call_logs(mock["id"], limit=10, include="response.body")
        for entry in logs["call-logs"]:
            print(entry["servedAt"], entry["request"]["method"], entry["request"]["path"], "->",
                  entry["response"]["statusCode"], entry["responseName"])
    """),
    md("""
        ## 5. Private mocks

        A mock created with `private=True` (or unpublished) answers only calls that carry the
        key in `x-api-key`; others get a 401 in Postman's error shape. The key is never passed on
        to the example's templates nor written to the call log. Publishing makes it public again.
    """),
    code("""
        private = api.create_mock(collection["uid"], name="shop (private)", private=True)["mock"]
        url = private["mockUrl"] + "/users"
        print("without the key:", httpx.get(url).status_code, httpx.get(url).json()["error"]["name"])
        print("with the key:   ", httpx.get(url, headers={"x-api-key": api_key}).status_code)
        api.publish_mock(private["id"])
        print("published:      ", httpx.get(url).status_code)
    """),
    md("""
        ## 6. A canned outage: server responses

        A server response is a 5xx answer stored with the mock. While one is active, **every**
        call gets it, whatever the examples say: the way to test how a client copes with an
        outage. `None` switches it off.
    """),
    code("""
        outage = api.create_server_response(mock["id"], "Maintenance", 503, language="json",
                                            body='{"error": "back soon"}')
        api.activate_server_response(mock["id"], outage["id"])
        print(httpx.get(mock["mockUrl"] + "/users").status_code)
        api.activate_server_response(mock["id"], None)
        print(httpx.get(mock["mockUrl"] + "/users").status_code)
    """),
    md("""
        ## 7. Settings and environments

        `PUT /mocks/{id}` changes a mock: its name, its environment, its matching settings
        (`matchBody`, `matchQueryParams`, `matchWildcards`, `headers`) and a fixed `delay`. The
        next call sees the change; no restart.
    """),
    code("""
        staging = api.create_environment({"name": "staging", "values": [
            {"key": "baseUrl", "value": "https://shop.example.test", "enabled": True}]})["environment"]
        changed = api.update_mock(mock["id"], environment=staging["uid"],
                                  config={"delay": {"type": "fixed", "duration": 150}})["mock"]
        changed["environment"], changed["config"]["delay"]
    """),
    md("""
        Mistakes come back as Postman does it: a status, an error name and a message that says
        what was wrong. The Python client raises them as `HubError`:
    """),
    code("""
        try:
            api.create_mock("no-such-collection")
        except mockkit.hub.HubError as error:
            print(error.status, error.name, "-", error.message)
    """),
    md("""
        ## Clean up

        This notebook has no widgets, so it can stop what it started: delete the mocks, stop
        the hub (which closes its database) and remove the data folder. A hub started with
        `mockkit hub` keeps its state between runs instead.
    """),
    code("""
        for m in api.list_mocks()["mocks"]:
            api.delete_mock(m["id"])
        admin.close()
        hub.stop()
        shutil.rmtree(data)
        hub
    """),
]

# ============================================================================ 07 · record and replay

RECORD_AND_REPLAY = [
    md("""
        # From a real API to saved examples: record, then replay

        Writing examples by hand is slow when the API already exists. A **recording mock** does it
        for you: it stands between your code and the real API, answers what its collection
        already knows, **forwards** (proxies) everything else to the real API, and **records**
        each answer it forwards as a new saved example. Later, with the real API switched off,
        the same requests get the same answers, from the examples: a **replay**.

        In this notebook you will start a small "real" API on this machine, record a few calls
        through a mock, look at what was recorded and why each call went where it went, save the
        examples to a Postman collection file, stop the API, and replay.
    """),
    md("""
        ## 1. A real API to record

        Any HTTP API will do. To keep this notebook self-contained (it runs offline), here is a
        tiny bookshop written with Python's own `http.server`, started in a background thread on
        `127.0.0.1`. It lists books, returns one book (or a 404), accepts new ones, sets a
        session cookie on every answer, and compresses its answers with gzip when asked to.
    """),
    code("""
        import atexit
        import gzip
        import json
        import os
        import shutil
        import tempfile
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import httpx
        import pandas as pd

        import mockkit
        from mockkit.report import readable

        BOOKS = {1: "Dune", 2: "Emma", 3: "Ulysses"}
        api_calls = []  # every request the API gets: (method, path)


        class Bookshop(BaseHTTPRequestHandler):
            def answer(self, status, value):
                api_calls.append((self.command, self.path))
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Set-Cookie", "session=a1b2c3; HttpOnly")
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path == "/books":
                    page = int(query.partition("page=")[2] or 1)
                    self.answer(200, {"page": page, "books": sorted(BOOKS.values())[(page - 1) * 2:page * 2]})
                elif path.startswith("/books/") and path[7:].isdigit() and int(path[7:]) in BOOKS:
                    self.answer(200, {"id": int(path[7:]), "title": BOOKS[int(path[7:])]})
                else:
                    self.answer(404, {"error": "no such book"})

            def do_POST(self):
                sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.answer(201, {"id": len(BOOKS) + 1, **sent})

            def log_message(self, *args):  # quiet
                pass


        api = ThreadingHTTPServer(("127.0.0.1", 0), Bookshop)
        api_thread = threading.Thread(target=api.serve_forever, daemon=True)
        api_thread.start()
        api_url = f"http://127.0.0.1:{api.server_port}"
        print(httpx.get(api_url + "/books").json())
        api_calls.clear()  # count only what the mock sends from here on
    """),
    md("""
        ## 2. Record through a mock

        `proxy=` names the real API; `record=` says what to keep. The names are those of vcrpy's
        record modes, which many Python developers know already:

        | record mode | forwarded to the real API | recorded |
        |---|---|---|
        | `none` (the default) | requests no example matches | nothing |
        | `new_episodes` | requests without an example of their own | each new answer |
        | `all` | every request | every answer: it refreshes the example it touches |
        | `once` | as `new_episodes`, but only if the collection was empty at the start | as `new_episodes` |

        An example is a request's **own** when it was saved for the same path with the same query
        parameters. The collection here is a file that does not exist yet: the mock starts empty
        and `save()` will create it. `redact=` adds names of secrets to hide in what is saved
        (`Authorization`, `Cookie`, `Set-Cookie` and `x-api-key` always are).
    """),
    code("""
        folder = tempfile.mkdtemp(prefix="mockkit-recording-")
        path = os.path.join(folder, "bookshop.postman_collection.json")

        mock = mockkit.serve(path, proxy=api_url, record="new_episodes", redact="x-session-token")
        mock
    """),
    md("""
        Now the calls your code would make, sent through the mock instead of to the API:
    """),
    code("""
        calls = [("GET", "/books"), ("GET", "/books?page=2"), ("GET", "/books/1"), ("GET", "/books/2"),
                 ("GET", "/books/9"), ("POST", "/books")]
        live = {}
        for method, target in calls:
            r = mock.request(method, target, json={"title": "Middlemarch"} if method == "POST" else None,
                             headers={"Authorization": "Bearer my-real-token", "Accept-Encoding": "gzip"})
            live[(method, target)] = r
            print(method, target, "→", r.status_code, r.text)
    """),
    md("""
        The answers are the real API's, passed on as they came (uncompressed: the mock decodes
        gzip). The **call log** says where each call went: `forwarded` is the URL it was sent
        to, `upstream_ms` how long the API took, and `recorded_as` the example it became
        (folder / request / example).
    """),
    code("""
        readable(mock.calls[["call", "method", "path", "query", "status", "forwarded", "upstream_ms", "recorded_as"]])
    """),
    md("""
        ## 3. Why was that call forwarded?

        `mock.explain(response)` works for forwarded calls too. Take `GET /books/2`: when it
        came, the example recorded for `/books/1` already existed, and by Postman's rules it
        matches `/books/2` (rule f: ids set aside). But it was saved for another path, so it is
        not this request's own, and `new_episodes` forwarded the call and recorded the answer.
        The first line says where the call went, how long the API took and what it became; the
        table ranks the request against the collection as it was when the call came.
    """),
    code("""
        mock.explain(live[("GET", "/books/2")])
    """),
    md("""
        Ask again, and the recording answers at once, without asking the API: the example
        saved for exactly this request wins by rule a.
    """),
    code("""
        again = mock.get("/books/2")
        print(again.json(), "| the API got", len(api_calls), "requests, for the", len(calls), "calls before this one")
        mock.explain(again)
    """),
    md("""
        ## 4. What was recorded

        Every recording is an ordinary saved example: in a folder named after the path's first
        segment, in a request named by method and path, with a name made from its status.
        `location` says it is not saved yet.
    """),
    code("""
        readable(mock.examples[["folder", "request", "name", "status", "query", "location"]])
    """),
    md("""
        Secrets never land in an example: the token the client sent and the cookie the API set
        are replaced by `[redacted]` (the client itself got the real cookie). Bodies are saved
        decoded, and headers that only concern one connection (`Content-Length`,
        `Content-Encoding`, `Connection`...) are dropped, as a mock computes its own.
    """),
    code("""
        book = next(e for e in mock.collection.examples if e.request_name == "GET /books/1")
        print("saved request headers: ", dict(book.request.headers))
        print("saved response headers:", dict(book.response.headers))
        print("saved body:            ", book.response.body)
        print("the client got:        ", live[("GET", "/books/1")].headers["set-cookie"])
    """),
    md("""
        The **Explorer** shows the same, interactively: pick a recorded example on the left to
        see its saved request and response, build a request and press *Send*, and watch the
        scores. Its call log marks a forwarded call with ⇢, and one that was recorded with ● and
        the example it became.
    """),
    code("""
        explorer = mock.explore()
        explorer
    """),
    md("""
        ## 5. Save

        `mock.save()` writes the recordings into the collection file (here it creates it). For
        an existing file it writes a new version next to it and swaps it in at once, keeping the
        previous one as `<file>.bak`; for a Postman v3 collection folder it adds new
        `.example.yaml` files. From a shell, `mockkit serve api.json --proxy URL --record
        new_episodes` saves when you stop it with Ctrl-C.
    """),
    code("""
        print(mock.save())
        readable(mockkit.examples(path)[["folder", "request", "name", "status", "location"]])
    """),
    md("""
        ## 6. Replay with the real API stopped

        Switch the API off. The recording mock still answers everything it recorded, from the
        examples. A request it never recorded it would forward, but the API is gone: it answers
        `502` with an error that says why, in Postman's error shape.
    """),
    code("""
        api.shutdown()
        api.server_close()
        api_thread.join(10)

        print(mock.get("/books/2").json())
        r = mock.get("/books/3")
        print(r.status_code, json.dumps(r.json(), indent=2))
    """),
    md("""
        The saved file is an ordinary Postman collection: a second mock of it, with no proxy at
        all, gives every recorded request the answer the API gave. (`mockkit.MockServer` in a
        `with` block runs a server for the block only; the recording mock keeps running for the
        Explorer above.)
    """),
    code("""
        rows = []
        with mockkit.MockServer(path) as replay:
            for (method, target), first in live.items():
                r = replay.request(method, target, json={"title": "Middlemarch"} if method == "POST" else None)
                rows.append({"request": f"{method} {target}", "recorded": first.status_code,
                             "replayed": r.status_code, "same body": r.json() == first.json()})
        readable(pd.DataFrame(rows))
    """),
    md("""
        ## Where next

        * Refresh recordings later with `record="all"`: every call goes to the API, and each
          answer replaces the example it touches.
        * A browser already recorded your API? Export a HAR file from its developer tools
          (Network → Export HAR) and turn it into a collection:
          `mockkit import-har capture.har --to api.postman_collection.json`, or
          `mockkit.from_har("capture.har")` in Python. The same naming and redaction rules apply.
        * The httpx transport takes `proxy=` too: `mockkit.transport("api.json", proxy=url,
          record="new_episodes")` records from tests without a local port.

        ## Clean up

        The recording mock keeps running while the Explorer above uses it. Run `mock.stop()` in
        a new cell to stop it; the folder with the saved collection is deleted when this
        notebook's kernel stops.
    """),
    code("""
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        print("recorded into", path)
    """),
]

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01-quickstart.ipynb": QUICKSTART,
    "02-why-this-example.ipynb": WHY_THIS_EXAMPLE,
    "03-dynamic-responses.ipynb": DYNAMIC_RESPONSES,
    "04-mock-in-your-tests.ipynb": MOCK_IN_YOUR_TESTS,
    "05-your-own-collection.ipynb": YOUR_OWN_COLLECTION,
    "06-hub.ipynb": HUB,
    "07-record-and-replay.ipynb": RECORD_AND_REPLAY,
}


# ==================================================================================== build


def notebook(name: str, cells: list[tuple[str, str]]) -> NotebookNode:
    """One notebook, validated; cell ids are stable (``01-quickstart-03``)."""
    prefix = name.removesuffix(".ipynb")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)}
    for i, (kind, source) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source)
        cell.id = f"{prefix}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(nb: NotebookNode) -> str:
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def build() -> dict[str, str]:
    """File name -> the text of each notebook."""
    return {name: render(notebook(name, cells)) for name, cells in NOTEBOOKS.items()}


def write(out_dir: Path = HERE) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in build().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed notebooks, write nothing")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to (default: this folder)")
    args = parser.parse_args(argv)
    if args.check:
        stale = [name for name, text in build().items()
                 if not (args.out / name).is_file() or (args.out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{name} differs from notebooks/build.py: run `python notebooks/build.py`", file=sys.stderr)
        return 1 if stale else 0
    for path in write(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
