"""Checks Depot's generated OpenAPI document: it must be a valid OpenAPI 3.1 document, and every
request of the README's API table must be an operation in it.

Usage: check_openapi.py DOCUMENT README

Prints one FAIL line per problem and exits 1 if there is any; scripts/lint runs it on the
document the build writes (target/classes/io/depot/resources/openapi.json).
"""

import json
import re
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator

# A README table row that starts with a request: | `POST /api/v1/uploads/{uploadId}/complete` | ...
ROW = re.compile(r"^\|\s*`(GET|HEAD|POST|PUT|PATCH|DELETE) (/api/[^`?\s]*)[^`]*`")


def template(path):
    """A path with its parameters unnamed, so {id} and {assetId} compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def readme_requests(readme):
    """The (method, path) of each row of the README's API table."""
    requests = []
    in_api = False
    for line in readme.splitlines():
        if line.startswith("## "):
            in_api = line.strip() == "## The API"
        match = ROW.match(line) if in_api else None
        if match:
            requests.append((match.group(1), match.group(2)))
    return requests


def problems(document, readme):
    found = []
    if not str(document.get("openapi", "")).startswith("3.1."):
        found.append(f"openapi is {document.get('openapi')!r}, not 3.1.x")
    for error in OpenAPIV31SpecValidator(document).iter_errors():
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        found.append(f"not valid OpenAPI 3.1 at {where}: {error.message}")
    operations = {(method.upper(), template(path))
                  for path, item in document.get("paths", {}).items()
                  for method in item if method in ("get", "head", "post", "put", "patch", "delete")}
    requests = readme_requests(readme)
    if not requests:
        found.append("the README's API table (## The API) lists no requests")
    for method, path in requests:
        if (method, template(path)) not in operations:
            found.append(f"README lists {method} {path}, which the document does not describe")
    return found


def main(arguments):
    if len(arguments) != 2 or arguments[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if arguments[:1] in (["-h"], ["--help"]) else 2
    with open(arguments[0], encoding="utf-8") as handle:
        document = json.load(handle)
    with open(arguments[1], encoding="utf-8") as handle:
        readme = handle.read()
    found = problems(document, readme)
    for problem in found:
        print(f"FAIL {problem}")
    if found:
        return 1
    print(f"{arguments[0]}: valid OpenAPI {document['openapi']}, {len(readme_requests(readme))} README requests described")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
