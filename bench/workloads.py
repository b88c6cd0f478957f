"""The benchmark workloads: collections (and WireMock stubs) written into a work folder, the
requests wrk sends, and the check each server must pass before it is measured.

    w1       the four-endpoint users API (peers.md): GET /users, GET /users/:id, POST /users,
             GET /health; wrk sends GET /users/1 (a path variable) to every server
    w2       apideck-crm from ../shared/corpus (read in place): a rotation of 8 requests that
             exercise query scoring (list endpoints with cursor/limit/filter params) and :id path
             variables, with the headers a real client sends
    gen10 / gen1000 / gen10000 / gen50000
             bench_rank.generate(n): the same rotation of request kinds at every size (exact
             paths, {{id}} wildcards, query variants), spread over all resources
    miss10000 / miss50000
             the same collections, and 3,000 requests that match nothing (404) in rotation
             (bench_rank.misses_for: unknown words where resource names are, typos beyond the
             distance threshold, an unknown version, extra segments); so many that step h's
             memo (2,048 segments per position) keeps forgetting them
    mix50000 hits and misses of gen50000 in turn (the garbage-collector pause run)
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_rank import WORDS, generate, misses_for  # noqa: E402

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
CORPUS = HERE.parent.parent / "shared" / "corpus" / "collections"
APIDECK = CORPUS / "apideck-crm.postman_collection.json"

USERS = [
    {"id": 1, "name": "Ada Lovelace", "email": "ada@example.com", "role": "admin"},
    {"id": 2, "name": "Alan Turing", "email": "alan@example.com", "role": "member"},
]
USER_1 = json.dumps(USERS[0], separators=(",", ":"))
"""The body every server answers GET /users/1 with (the bare Tornado baseline writes it too)."""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    expect_body: object = None  # the parsed JSON body of the example this request is meant to get


@dataclass
class Workload:
    name: str
    title: str
    collection: Path | None  # Postman collection (mockkit, Prism, the npm server)
    wiremock_root: Path | None  # WireMock --root-dir (None: WireMock cannot serve it)
    requests: list[Request]  # what wrk sends, in rotation
    check: Request  # one request that must answer...
    check_status: int  # ...with this status
    check_json: dict  # ...and a JSON object containing these key/values
    examples: int = 0


# ------------------------------------------------------------------------------------ w1


def _pm_url(path: str, query: list[tuple[str, str]] = (), variables: dict[str, str] | None = None) -> dict:
    raw = "{{baseUrl}}" + path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    url = {"raw": raw, "host": ["{{baseUrl}}"], "path": path.strip("/").split("/")}
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in query]
    if variables:
        url["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
    return url


def _pm_item(name: str, method: str, path: str, code: int, status: str, body: str,
             variables: dict[str, str] | None = None) -> dict:
    request = {"method": method, "header": [], "url": _pm_url(path, variables=variables)}
    if method == "POST":
        request["header"] = [{"key": "Content-Type", "value": "application/json"}]
        request["body"] = {"mode": "raw", "raw": json.dumps({"name": "Grace Hopper"})}
    return {
        "name": name,
        "request": request,
        "response": [{
            "name": f"{name} {code}",
            "originalRequest": request,
            "code": code,
            "status": status,
            "_postman_previewlanguage": "json",
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": body,
        }],
    }


def users_collection() -> dict:
    created = json.dumps({"id": 3, "name": "Grace Hopper", "email": "grace@example.com", "role": "member"},
                         separators=(",", ":"))
    return {
        "info": {"name": "bench users API (four endpoints)", "schema": SCHEMA},
        "item": [
            _pm_item("List users", "GET", "/users", 200, "OK", json.dumps(USERS, separators=(",", ":"))),
            _pm_item("Get user", "GET", "/users/:id", 200, "OK", USER_1, variables={"id": "1"}),
            _pm_item("Create user", "POST", "/users", 201, "Created", created),
            _pm_item("Health", "GET", "/health", 200, "OK", '{"status":"ok"}'),
        ],
        "variable": [{"key": "baseUrl", "value": "http://localhost:3000"}],
    }


def users_wiremock(root: Path) -> None:
    """The same four endpoints as WireMock stub mappings (WireMock cannot read collections)."""
    created = {"id": 3, "name": "Grace Hopper", "email": "grace@example.com", "role": "member"}
    stubs = [
        ({"method": "GET", "urlPath": "/users"}, 200, json.dumps(USERS, separators=(",", ":"))),
        ({"method": "GET", "urlPathPattern": "/users/[^/]+"}, 200, USER_1),
        ({"method": "POST", "urlPath": "/users"}, 201, json.dumps(created, separators=(",", ":"))),
        ({"method": "GET", "urlPath": "/health"}, 200, '{"status":"ok"}'),
    ]
    mappings = root / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    (root / "__files").mkdir(exist_ok=True)
    for i, (request, status, body) in enumerate(stubs):
        stub = {"request": request,
                "response": {"status": status, "body": body, "headers": {"Content-Type": "application/json"}}}
        (mappings / f"stub-{i}.json").write_text(json.dumps(stub, indent=1))


# ------------------------------------------------------------------------------------ w2

APIDECK_HEADERS = {
    "Authorization": "Bearer bench-token",
    "x-apideck-consumer-id": "test_consumer",
    "x-apideck-app-id": "2222",
    "x-apideck-service-id": "salesforce",
}


def apideck_requests() -> list[Request]:
    h = APIDECK_HEADERS
    return [
        Request("GET", "/crm/companies?raw=true&cursor=c1&limit=20&filter[name]=SpaceX", h),
        Request("GET", "/crm/companies/12345?raw=true", h),
        Request("GET", "/crm/contacts?raw=true&cursor=c2&limit=50&filter[first_name]=Elon&filter[last_name]=Musk"
                       "&filter[email]=elon@tesla.com&sort[by]=created_at&sort[direction]=desc", h),
        Request("GET", "/crm/leads/lead-7?raw=true", h),
        Request("GET", "/crm/opportunities?raw=true&cursor=c3&limit=20&filter[status]=Completed"
                       "&filter[monetary_amount]=75000", h),
        Request("GET", "/crm/notes/98765?raw=true", h),
        Request("GET", "/crm/users?raw=true&cursor=c4&limit=10", h),
        Request("GET", "/crm/activities/act-1?raw=true", h),
    ]


# ------------------------------------------------------------------------------------ w3


def generated_requests(n: int, count: int = 64, seed: int = 1) -> list[Request]:
    """Hits of the kinds bench_rank sends (exact, query variant, {{id}} wildcard) over every resource."""
    resources = max(1, n // 5)
    rng = random.Random(seed)
    out = []
    for i in range(count):
        r = rng.randrange(resources)
        base = f"/v1/{WORDS[r % len(WORDS)]}{r}"
        kind = i % 3 if n >= 3 else 0
        path = [base, f"{base}?page=2", f"{base}/{rng.randrange(10**6)}"][kind]
        out.append(Request("GET", path, expect_body={"n": r * 5 + kind}))  # generate(): 5 shapes per resource
    return out


def expect_examples(collection: dict, requests: list[Request]) -> None:
    """Set each request's expected body: the 200 example of the request whose path it fits
    (``:name`` segments fit any value), as a peer that treats ``:id`` as a wildcard answers."""
    def walk(items: list) -> list:
        out = []
        for it in items:
            out.extend(walk(it["item"]) if "item" in it else [it])
        return out

    items = walk(collection["item"])
    for r in requests:
        segments = r.path.split("?")[0].strip("/").split("/")
        for it in items:
            path = it["request"]["url"].get("path", [])
            if it["request"]["method"] == r.method and len(path) == len(segments) and all(
                    p.startswith(":") or p == s for p, s in zip(path, segments)):
                ok = [x for x in it.get("response", []) if x.get("code") == 200]
                if ok:
                    r.expect_body = json.loads(ok[0]["body"])
                break


# ------------------------------------------------------------------------------------ all


def miss_requests(n: int, count: int = 3000, seed: int = 2) -> list[Request]:
    """``count`` requests that no example of ``generate(n)`` matches: each answers 404."""
    return [Request("GET", m.target, expect_status=404, expect_body={"error": {
        "name": "mockRequestNotFoundError", "message": "Double check your method and the request path and try again.",
        "header": "No matching requests"}}) for m in misses_for(max(1, n // 5), random.Random(seed), count)]


def build(work: Path, sizes: tuple[int, ...] = (10, 1000, 10000, 50000),
          misses: tuple[int, ...] = (10000, 50000)) -> dict[str, Workload]:
    """Write every workload's files under ``work`` and describe them."""
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Workload] = {}

    w1 = work / "w1-users.postman_collection.json"
    w1.write_text(json.dumps(users_collection(), indent=1))
    users_wiremock(work / "w1-wiremock")
    get_user = Request("GET", "/users/1", expect_body=USERS[0])
    out["w1"] = Workload("w1", "four-endpoint users API, GET /users/1", w1, work / "w1-wiremock",
                         [get_user], get_user, 200, {"id": 1, "name": "Ada Lovelace"}, examples=4)

    if APIDECK.is_file():
        reqs = apideck_requests()
        expect_examples(json.loads(APIDECK.read_text()), reqs)
        out["w2"] = Workload("w2", "apideck-crm (corpus): 8 requests in rotation, 4 list requests with query "
                             "params (scoring) + 4 :id path-variable requests", APIDECK, None, reqs, reqs[0], 200,
                             {"status_code": 200, "resource": "companies"}, examples=280)
        query = [r for r in reqs if "/" not in r.path.split("?")[0][len("/crm/"):]]
        out["w2q"] = Workload("w2q", "apideck-crm: the 4 list requests of w2 only (query scoring; every server "
                              "answers them with the saved example)", APIDECK, None, query, query[0], 200,
                              {"status_code": 200, "resource": "companies"}, examples=280)
    else:
        print(f"bench: {APIDECK} is absent: workload 2 (apideck-crm) is skipped", file=sys.stderr)

    for n in sizes:
        path = work / f"gen{n}.postman_collection.json"
        path.write_text(json.dumps(generate(n)))
        reqs = generated_requests(n)
        out[f"gen{n}"] = Workload(f"gen{n}", f"generated by bench_rank.generate({n}): {n:,} examples; 64 requests "
                                  "in rotation (exact paths, ?page=2 variants, {{id}} wildcards)", path, None, reqs,
                                  Request("GET", "/v1/users0"), 200, {"n": 0}, examples=n)
    for n in misses:
        path = work / f"gen{n}.postman_collection.json"
        if not path.is_file():
            path.write_text(json.dumps(generate(n)))
        reqs = miss_requests(n)
        out[f"miss{n}"] = Workload(f"miss{n}", f"requests that match nothing: bench_rank.generate({n}) ({n:,} examples), "
                                   f"{len(reqs):,} misses in rotation, each answered 404", path, None, reqs,
                                   Request("GET", "/v1/users0"), 200, {"n": 0}, examples=n)
    if 50000 in misses:
        path = work / "gen50000.postman_collection.json"
        reqs = [x for pair in zip(generated_requests(50000, 200), miss_requests(50000, 200, seed=5)) for x in pair]
        out["mix50000"] = Workload("mix50000", "hits and misses in turn on bench_rank.generate(50000): the "
                                   "garbage-collector pause run", path, None, reqs, Request("GET", "/v1/users0"),
                                   200, {"n": 0}, examples=50000)
    return out


def lua_script(requests: list[Request]) -> str:
    """A wrk script: rotate through ``requests`` (when more than one) and print a JSON summary."""
    lines = []
    if len(requests) > 1:
        lines.append("local reqs = {}")
        lines.append("local i = 0")
        lines.append("init = function(args)")
        for r in requests:
            headers = "{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in r.headers.items()) + "}"
            lines.append(f"  reqs[#reqs + 1] = wrk.format({json.dumps(r.method)}, {json.dumps(r.path)}, {headers})")
        lines.append("end")
        lines.append("request = function()")
        lines.append("  i = i % #reqs + 1")
        lines.append("  return reqs[i]")
        lines.append("end")
    elif requests and requests[0].headers:
        for k, v in requests[0].headers.items():
            lines.append(f'wrk.headers["{k}"] = {json.dumps(v)}')
    lines.append("""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""")
    return "\n".join(lines)
