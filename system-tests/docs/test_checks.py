"""The docs suite's checks on small inputs: each must find what it exists to find."""

import tempfile
import unittest
from pathlib import Path

import shutil

import check_configuration
import check_examples
import check_links
import check_module_graph
import configuration_table
import swift_environment
from check_path_case import collisions

TABLE = """# Configuration

| variable | default | range | read by | meaning |
|---|---|---|---|---|
| `HTTP_PORT` | `5080` | 1–65535 | Producer, `dev` | port |
| `PRODUCER_BIN`, `CONSUMER_BIN` | — | files | `scripts/test-*.sh` | binaries |
| `DB_ADMIN_USER` | required | any | db-setup | admin |

After the table.
"""


class SwiftScanTests(unittest.TestCase):
    def scan(self, **sources):
        return swift_environment.scan({f"Sources/{name}.swift": text for name, text in sources.items()})

    def names(self, **sources):
        reads, unresolved = self.scan(**sources)
        self.assertEqual(unresolved, [])
        return sorted({read.variable for read in reads})

    def test_literal_reads_with_default_and_range(self):
        reads, _ = self.scan(A='x = try env.integer("MAX_DELIVERIES", default: 5, in: 1...1_000)\ny = env.optional("STATIC_DIR")')
        self.assertEqual([(r.variable, r.line, r.default, r.range) for r in reads],
                         [("MAX_DELIVERIES", 1, "5", "1–1000"), ("STATIC_DIR", 2, "", "")])

    def test_port_reads_have_the_port_range(self):
        reads, _ = self.scan(A='p = try env.port("REDIS_PORT", default: 6379)')
        self.assertEqual(reads[0].range, "1–65535")

    def test_loop_over_literals(self):
        source = 'for variable in ["REDIS_TLS_CA_FILE", "REDIS_TLS_SERVER_NAME"] where env.optional(variable) != nil {}'
        self.assertEqual(self.names(A=source), ["REDIS_TLS_CA_FILE", "REDIS_TLS_SERVER_NAME"])

    def test_property_holding_the_name(self):
        self.assertEqual(self.names(
            Producer='enum P { static let portVariable = "HTTP_PORT" }',
            Consumer='enum C { static var portVariable: String { "CONSUMER_HTTP_PORT" } }',
            Health='loadConfiguration { reader in try reader.port(Program.portVariable, default: 1) }'),
            ["CONSUMER_HTTP_PORT", "HTTP_PORT"])

    def test_reader_names_from_declarations(self):
        self.assertEqual(self.names(A='init(from settings: EnvironmentReader) { settings.string("CORS_ALLOW_ORIGIN", default: "*") }'),
                         ["CORS_ALLOW_ORIGIN"])

    def test_other_receivers_and_comments_are_not_reads(self):
        source = ('json.string("NOT_A_SETTING")\n/// env.optional("IN_A_DOC_COMMENT")\n'
                  '/* env.required("IN_A_BLOCK")\n */ let url = "http://x" // env.port("AFTER_A_STRING")')
        self.assertEqual(self.names(A=source), [])

    def test_reader_methods_come_from_the_reader_itself(self):
        source = """
            public func optional(_ name: String) -> String? { nil }
            public func choice<T: RawRepresentable<String> & CaseIterable>(_ name: String, default d: T) -> T { d }
            public func secretToken(_ name: String) throws(ConfigurationError) -> String? { nil }
            public func trimmingSpaces() -> String { "" }
            func helper(_ name: String) {}
        """
        self.assertEqual(swift_environment.reader_methods(source), ("optional", "choice", "secretToken"))
        self.assertIn("secretToken", swift_environment.READER_METHODS, "read from EnvironmentReader.swift")

    def test_direct_reads(self):
        self.assertEqual(self.names(A='getenv("HOME_DIR")\nProcessInfo.processInfo.environment["TMP_DIR"]'), ["HOME_DIR", "TMP_DIR"])

    def test_an_unresolvable_name_is_reported(self):
        _, unresolved = self.scan(A='let name = prefix + "_PORT"\nx = try env.port(name, default: 1)')
        self.assertEqual(len(unresolved), 1)
        self.assertIn("Sources/A.swift:2", unresolved[0])


class TableTests(unittest.TestCase):
    def test_rows(self):
        rows = configuration_table.parse(TABLE)
        self.assertEqual([(r.variables, r.programs, r.scripts) for r in rows], [
            (("HTTP_PORT",), ("Producer",), ("dev",)),
            (("PRODUCER_BIN", "CONSUMER_BIN"), (), ("scripts/test-*.sh",)),
            (("DB_ADMIN_USER",), ("db-setup",), ()),
        ])
        self.assertEqual(rows[0].line, 5)

    def test_a_page_without_the_table(self):
        self.assertEqual(configuration_table.parse("| a | b |\n|---|---|\n| 1 | 2 |\n"), [])


class DriftTests(unittest.TestCase):
    rows = configuration_table.parse(TABLE)

    def test_in_step(self):
        reads = [swift_environment.Read("HTTP_PORT", "Sources/Producer/A.swift", 1),
                 swift_environment.Read("DB_ADMIN_USER", "Sources/Consumer/B.swift", 2)]
        self.assertEqual(check_configuration.program_drift(reads, self.rows), [])

    def test_unlisted_read_and_unread_row(self):
        reads = [swift_environment.Read("HTTP_PORT", "Sources/Producer/A.swift", 1),
                 swift_environment.Read("OPS_HTTP_PORT", "Sources/Shared/S.swift", 7, "5082", "1–65535")]
        problems = check_configuration.program_drift(reads, self.rows)
        self.assertEqual(len(problems), 2)
        self.assertIn("Sources/Shared/S.swift:7 reads OPS_HTTP_PORT", problems[0])
        self.assertIn("| `OPS_HTTP_PORT` | `5082` | 1–65535 | both | <meaning> |", problems[0])
        self.assertIn("lists DB_ADMIN_USER as read by db-setup", problems[1])

    def test_scripts(self):
        texts = {"dev": ["port=${HTTP_PORT:-5080}"], "scripts/test-*.sh": ["echo $PRODUCER_BIN"]}
        problems = check_configuration.script_drift(self.rows, texts, {"dev": {"HTTP_PORT", "DEV_REDIS_PORT"}})
        self.assertEqual(len(problems), 2)
        self.assertIn("lists CONSUMER_BIN as read by scripts/test-*.sh", problems[0])
        self.assertIn("dev reads DEV_REDIS_PORT from the environment", problems[1])

    def test_shell_defaults(self):
        text = 'a=${DEV_REDIS_PORT:-6380} b=${CI:-} c=${NEEDED:?set it} d=$PLAIN e=${lower:-x}'
        self.assertEqual(check_configuration.shell_defaults(text), {"DEV_REDIS_PORT", "CI", "NEEDED"})


class LinkCheckTests(unittest.TestCase):
    def test_broken_files_and_anchors(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "docs").mkdir()
            (root / "docs" / "api.md").write_text("# API\n\n## `GET /count`\n")
            (root / "README.md").write_text(
                "[ok](docs/api.md#get-count) [self](#readme) [web](https://example.com/x#y)\n"
                "[gone](docs/nope.md) [bad anchor](docs/api.md#post-count)\n\n# Readme\n")
            problems = check_links.broken_links(root / "README.md", root)
        self.assertEqual(len(problems), 2)
        self.assertIn("README.md:2: link docs/nope.md: docs/nope.md does not exist", problems[0])
        self.assertIn("has no heading with the anchor #post-count", problems[1])


@unittest.skipUnless(shutil.which("shellcheck"), "needs shellcheck")
class ExampleTests(unittest.TestCase):
    page = ("Try it:\n\n```sh\ncurl -d \"{\\\"count\\\": $EPOCHSECONDS}\" localhost:5080/count\n```\n\n"
            "```bash\necho $EPOCHSECONDS\n```\n\n```\n$EPOCHSECONDS is not code here\n```\n")

    def test_blocks_and_their_shells(self):
        self.assertEqual([(start, shell) for start, shell, _ in check_examples.shell_blocks(self.page)], [(4, "sh"), (8, "bash")])

    def test_a_bashism_in_an_sh_block_is_found_and_allowed_in_bash(self):
        (start, shell, code), (_, bash, bash_code) = check_examples.shell_blocks(self.page)
        problems = check_examples.problems_in(code, shell)
        self.assertEqual(len(problems), 1)
        self.assertIn("EPOCHSECONDS is undefined", problems[0][1])
        self.assertEqual(check_examples.problems_in(bash_code, bash), [])


class ModuleGraphTests(unittest.TestCase):
    MANIFEST = """
        .systemLibrary(name: "CLib", pkgConfig: "lib"),
        .target(name: "Base"),
        .target(
            name: "Upper",
            dependencies: [
                "CLib", "Base",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "UpperTests", dependencies: ["Upper"]),
    """
    DOC = """## Module graph

| target | depends on | owns |
|---|---|---|
| `CLib` | — | C |
| `Base` | — | base |
| `Upper` | `Base`, `CLib` | upper |

## Next
"""

    def test_a_matching_table_has_no_differences(self):
        graph = check_module_graph.package_graph(self.MANIFEST)
        self.assertEqual(graph, {"CLib": set(), "Base": set(), "Upper": {"CLib", "Base"}})
        self.assertEqual(check_module_graph.differences(graph, check_module_graph.documented_graph(self.DOC)), [])

    def test_a_missing_edge_and_a_missing_target_are_named(self):
        graph = check_module_graph.package_graph(self.MANIFEST + '.target(name: "Extra"),')
        doc = self.DOC.replace("`Base`, `CLib`", "`Base`")
        problems = check_module_graph.differences(graph, check_module_graph.documented_graph(doc))
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("Extra is in Package.swift", problems[0])
        self.assertIn("Upper depends on ['Base', 'CLib']", problems[1])


class PathCaseTests(unittest.TestCase):
    def test_folders_and_files(self):
        self.assertEqual(collisions(["Tests/A.swift", "tests/run.py", "README.md", "docs/x.md"]), [["Tests", "tests"]])
        self.assertEqual(collisions(["docs/API.md", "docs/api.md"]), [["docs/API.md", "docs/api.md"]])
        self.assertEqual(collisions(["Tests/A.swift", "system-tests/run.py"]), [])


if __name__ == "__main__":
    unittest.main()
