"""The pytest plugin, run as users run it: pytest's own ``pytester`` runs small test files in a
fresh session and we assert on the outcomes and on what pytest prints."""

from __future__ import annotations

import json
import re

import httpx
import pytest

import mockkit
from builders import coll, env, ex, raw_json

pytest_plugins = ["pytester"]

LIBRARY = coll(
    ex("/books", name="All books", response_body='[{"id": 1}]'),
    ex("/books/{{bookId}}", name="Book found", response_body='{"id": "{{bookId}}", "reader": "{{$randomFirstName}}"}'),
    ex("/books/{{bookId}}", name="Book missing", code=404),
    ex("/books", name="Book added", method="POST", code=201, body=raw_json({"title": "Dune"})),
    ex("/{{tenant}}/loans", name="Loans"),
    name="Library",
    variables={"tenant": "acme"},
)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A folder with our collection and environment, as a user's project has them."""
    (pytester.path / "api.postman_collection.json").write_text(json.dumps(LIBRARY))
    (pytester.path / "globex.postman_environment.json").write_text(json.dumps(env({"tenant": "globex"})))
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function", *args)


def test_an_unmatched_request_fails_naming_the_nearest_example_and_why(project):
    project.makepyfile("""
        import httpx

        def test_chapters(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            assert httpx.get(mock.url + "/books/7").status_code == 200
            assert httpx.get(mock.url + "/stories/7/chapters").status_code == 404
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "mockkit: 1 request to the mock server at http://127.0.0.1:* got no example of collection 'Library':",
        "1. GET /stories/7/chapters → 404 mockRequestNotFoundError (call c2)",
        "   nearest examples (of 5):",
        "     - 'Book found', 'Book missing' (GET /books/{{bookId}} → 200, 404), dropped at path: path",
        "         /books/{{bookId}} does not match /stories/7/chapters by any rule (a–h); they have 2 and 3*",
        "*mock.explain('GET', '/stories/7/chapters')",
        "Fake data seed: * (seed=* gives the same data again).",
        "Rerun this test with the same fake data: pytest *::test_chapters --mockkit-seed=*",
    ])
    assert "/books/7 →" not in out  # the matched call is not listed


def test_strict_false_per_mock_per_marker_and_per_project(project):
    project.makepyfile("""
        import httpx, pytest

        def test_argument(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", strict=False)
            assert httpx.get(mock.url + "/nothing").status_code == 404

        @pytest.mark.mockkit("api.postman_collection.json", strict=False)
        def test_marker(mockkit_server):
            assert httpx.get(mockkit_server().url + "/nothing").status_code == 404

        def test_strict(mockkit_server):
            assert httpx.get(mockkit_server().url + "/nothing").status_code == 404
    """)
    run(project).assert_outcomes(passed=2, failed=1)
    project.makeini("[pytest]\nmockkit_strict = false\n")
    run(project).assert_outcomes(passed=3)
    project.makeini("[pytest]\nmockkit_strict = false\n")
    project.makepyfile(test_override="""
        import httpx

        def test_strict_again(mockkit_server):
            assert httpx.get(mockkit_server(strict=True).url + "/nothing").status_code == 404
    """)
    run(project, "test_override.py").assert_outcomes(failed=1)


def test_assert_called_times_passes_and_fails_with_the_closest_calls(project):
    project.makepyfile("""
        import httpx

        def test_twice(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            with httpx.Client(base_url=mock.url) as client:
                client.get("/books/1")
                client.get("/books/2")
                client.post("/books", json={"title": "Dune"})
            mock.assert_called("GET", "/books/{{id}}", times=2)
            mock.assert_called_once("POST", "/books", json={"title": "Dune"})
            mock.assert_not_called("DELETE", "/books/*")

        def test_three_times(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            with httpx.Client(base_url=mock.url) as client:
                client.get("/books/1")
                client.get("/books/2", params={"page": "2"})
                client.post("/books", json={"title": "Dune"})
            mock.assert_called("GET", "/books/{{id}}", times=3)
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "E       mockkit.errors.MockAssertionError: expected GET /books/{{id}} to be called 3 times; it was called 2 times.",
        "E       calls that count:",
        "E         - c1 GET /books/1 → 200 'Book found'",
        "E         - c2 GET /books/2?page=2 → 200 'Book found'",
        "E       calls that came closest (of 3 in the call log):",
        "E         - c3 POST /books → 201 'Book added': method is POST, not GET; path is /books, not /books/{{id}}",
    ])
    assert "verify.py" not in result.stdout.str()  # mockkit's own frames are hidden


def test_marker_on_module_and_test_configures_collection_environment_and_seed(project):
    project.makepyfile("""
        import httpx, pytest

        pytestmark = pytest.mark.mockkit("api.postman_collection.json", env="globex.postman_environment.json",
                                         seed=5)

        def reader(mock):
            return httpx.get(mock.url + "/books/1").json()["reader"]

        def test_module_settings(mockkit_server, record_property):
            mock = mockkit_server()
            assert mock.seed == 5
            assert httpx.get(mock.url + "/globex/loans").status_code == 200
            record_property("reader", reader(mock))

        @pytest.mark.mockkit(seed=6)
        def test_nearest_marker_wins(mockkit_server):
            mock = mockkit_server()
            assert mock.seed == 6 and mock.collection.name == "Library"
            assert mockkit_server(seed=7).seed == 7    # the factory's arguments win over markers

        def test_same_seed_same_data(mockkit_server, mockkit_transport):
            mock = mockkit_server()
            with httpx.Client(transport=mockkit_transport(), base_url="http://m") as client:
                assert client.get("/books/1").json()["reader"] == reader(mock)
    """)
    result = run(project, "--strict-markers", "--junitxml=out.xml")
    result.assert_outcomes(passed=3)
    with httpx.Client(transport=mockkit.transport(LIBRARY, seed=5), base_url="http://m") as client:
        expected = client.get("/books/1").json()["reader"]
    assert f'name="reader" value="{expected}"' in (project.path / "out.xml").read_text()


def test_markers_and_options_are_registered(project):
    result = run(project, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mockkit(collection=None, *, env=None, seed=None, strict=None*"])
    result = run(project, "--help")
    result.stdout.fnmatch_lines(["*--mockkit-seed=N*", "*mockkit_strict (bool):*", "*mockkit_scope (string):*"])


def test_session_scope_shares_one_server_and_resets_it_between_tests(project):
    project.makeini("[pytest]\nmockkit_scope = session\n")
    project.makepyfile(test_shared="""
        import httpx, pytest

        ports = []

        @pytest.mark.parametrize("n", range(3))
        def test_each(mockkit_server, n):
            mock = mockkit_server("api.postman_collection.json")
            assert mockkit_server("api.postman_collection.json") is mock   # no reset within a test
            ports.append(mock.port)
            assert len(mock.calls) == 0 and mock.engine.server_response is None
            mock.get("/books")
            mock.set_server_response(503)
            assert mock.get("/books").status_code == 503
            assert len(set(ports)) == 1

        def test_function_scope_still_possible(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", scope="function")
            assert mock.port not in ports
    """)
    run(project).assert_outcomes(passed=4)


def test_session_scope_by_argument_and_failed_calls_stay_with_their_test(project):
    project.makepyfile("""
        import httpx

        def test_first(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", scope="session")
            mock.get("/nothing")

        def test_second(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", scope="session")
            mock.get("/books")
            mock.assert_called_once("GET", "/books")
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ test_first _*", "mockkit: 1 request to the mock server*"])


def test_expected_examples_never_served_fail(project):
    project.makepyfile("""
        def test_expects(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", expect=["Book found", "Book missing"])
            mock.get("/books/1")

        def test_typo(mockkit_server):
            mockkit_server("api.postman_collection.json", expect=["Book mising"])

        class TestEverything:
            pytestmark = __import__("pytest").mark.mockkit("api.postman_collection.json", assert_all_used=True)

            def test_all_examples(self, mockkit_transport):
                mockkit_transport().reset()
    """)
    result = run(project)
    result.stdout.fnmatch_lines([
        "mockkit: 1 expected example was never served by collection 'Library':",
        "  - Book missing: GET /books/{{bookId}} → 404",
        "*LookupError: no example is named 'Book mising'*did you mean 'Book missing'*",
        "*5 expected examples were never served by collection 'Library':",
        "  - request 0 / All books: GET /books → 200",
    ])
    result.assert_outcomes(failed=3)


def test_a_failing_test_reports_its_seed_and_the_rerun_gives_the_same_data(project):
    project.makepyfile("""
        import httpx

        def test_reader(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            assert mock.get("/books/1").json()["reader"] == "nobody"
    """)
    first = run(project)
    first.assert_outcomes(failed=1)
    out = first.stdout.str()
    seed = re.search(r"fake data seed of this test: (\d+)", out).group(1)
    reader = re.search(r"AssertionError: assert '([^']+)' == 'nobody'", out).group(1)
    assert f"--mockkit-seed={seed}" in out
    again = run(project, f"--mockkit-seed={seed}")
    assert f"assert '{reader}' == 'nobody'" in again.stdout.str()
    assert f"mockkit: fake data seed {seed} (--mockkit-seed)" in again.stdout.str()


def test_a_test_failing_for_its_own_reason_also_shows_the_unmatched_calls(project):
    project.makepyfile("""
        def test_broken(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            assert mock.get("/reviews").status_code == 200, "the client got no reviews"
    """)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E       AssertionError: the client got no reviews",
        "*Captured mockkit call*",
        "1. GET /reviews → 404 mockRequestNotFoundError (call c1)",
    ])


def test_transport_fixture_checks_without_closing_the_client(project):
    project.makepyfile("""
        import httpx

        def test_unclosed(mockkit_transport):
            client = httpx.Client(transport=mockkit_transport("api.postman_collection.json"), base_url="http://x")
            assert client.get("/nothing").status_code == 404

        def test_server_only_option(mockkit_transport):
            mockkit_transport("api.postman_collection.json", port=3000)
    """)
    result = run(project)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*1 request to the httpx transport got no example of collection 'Library'*",
        "*TypeError: port: options of a server, not of an httpx transport*",
    ])


def test_private_mock_refusal_fails_but_a_server_response_does_not(project):
    project.makepyfile("""
        def test_refused(mockkit_server):
            mock = mockkit_server("api.postman_collection.json", api_key="k")
            assert mock.get("/books").status_code == 401

        def test_outage(mockkit_server):
            mock = mockkit_server("api.postman_collection.json")
            mock.set_server_response(503, {"error": "down"})
            assert mock.get("/anything").status_code == 503
    """)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*refused: this mock is private*", "*would have been answered by 'All books'*"])


ASYNC_TESTS = """
    import anyio, httpx, pytest

    async def ticks_during(request):
        '''Run a delayed request and count loop ticks while it is in flight.'''
        ticks, done = [], []

        async def tick():
            while not done:
                ticks.append(1)
                await anyio.sleep(0.01)

        async with anyio.create_task_group() as group:
            group.start_soon(tick)
            response = await request()
            done.append(1)
        return response, len(ticks)

    @pytest.mark.asyncio
    async def test_asyncio_server(mockkit_server):
        mock = mockkit_server("api.postman_collection.json")
        async with httpx.AsyncClient(base_url=mock.url) as client:
            response, ticks = await ticks_during(
                lambda: client.get("/books/1", headers={"x-mock-response-delay": "200"}))
        assert response.status_code == 200 and ticks > 3   # the loop ran while the server waited
        mock.assert_called_once("GET", "/books/1")

    @pytest.mark.anyio
    async def test_anyio_transport(mockkit_transport, anyio_backend):
        transport = mockkit_transport("api.postman_collection.json")
        async with httpx.AsyncClient(transport=transport, base_url="http://m") as client:
            response, ticks = await ticks_during(
                lambda: client.get("/books/1", headers={"x-mock-response-delay": "200"}))
            assert response.json()["reader"] and ticks > 3
            await client.get("/nothing")

    @pytest.mark.asyncio
    async def test_asyncio_unmatched(mockkit_transport):
        async with httpx.AsyncClient(transport=mockkit_transport("api.postman_collection.json", strict=False),
                                     base_url="http://m") as client:
            assert (await client.get("/nothing")).status_code == 404
"""


def test_async_tests_under_pytest_asyncio_and_anyio(project):
    project.makepyfile(ASYNC_TESTS)
    project.makeconftest("""
        import pytest

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param
    """)
    result = run(project, "-v")
    result.assert_outcomes(passed=2, failed=2)   # /nothing under each anyio backend
    result.stdout.fnmatch_lines([
        "*test_asyncio_server PASSED*",
        "*test_anyio_transport?asyncio? FAILED*",
        "*test_anyio_transport?trio? FAILED*",
        "*test_asyncio_unmatched PASSED*",
    ])
    # count in the failure reports only: on CI (the CI variable set) pytest's short summary repeats
    # each failure's whole message, elsewhere only its first line
    failures = result.stdout.str().split("short test summary info")[0]
    assert failures.count("1. GET /nothing → 404 mockRequestNotFoundError") == 2
