import unittest

from markdown import anchors, fenced_blocks, links, slug


class SlugTests(unittest.TestCase):
    def test_github_slugs(self):
        cases = {
            "Quick start": "quick-start",
            "`GET /stats` (also `GET /api/stats`)": "get-stats-also-get-apistats",
            "Fault suite (`./dev test faults`)": "fault-suite-dev-test-faults",
            "AUTH and ACL users": "auth-and-acl-users",
            "What a Redis crash can lose": "what-a-redis-crash-can-lose",
            "1 primary vs 3 — cluster": "1-primary-vs-3--cluster",
            "snake_case stays": "snake_case-stays",
            "See [the API](api.md)": "see-the-api",
        }
        for heading, expected in cases.items():
            with self.subTest(heading=heading):
                self.assertEqual(slug(heading), expected)

    def test_repeated_headings_are_numbered(self):
        page = "# Checks\n\n## Checks\n\n### Checks\n"
        self.assertEqual(anchors(page), {"checks", "checks-1", "checks-2"})

    def test_headings_in_code_blocks_are_not_anchors(self):
        page = "# Real\n\n```sh\n# not a heading\n```\n"
        self.assertEqual(anchors(page), {"real"})

    def test_html_anchor(self):
        self.assertIn("legacy-name", anchors('<a name="legacy-name"></a>\n# Title\n'))


class FencedBlockTests(unittest.TestCase):
    def test_labels_and_first_lines(self):
        page = "text\n```sh\necho hi\n```\n\n```\nplain\n```\n"
        self.assertEqual(list(fenced_blocks(page)), [(3, "sh", "echo hi\n"), (7, "", "plain\n")])


class LinkTests(unittest.TestCase):
    def test_inline_links_images_and_references(self):
        page = "See [API](docs/api.md#errors) and ![pic](docs/x.png \"title\").\n\n[ref]: CONTRIBUTING.md\n"
        self.assertEqual(list(links(page)), [(1, "docs/api.md#errors"), (1, "docs/x.png"), (3, "CONTRIBUTING.md")])

    def test_a_link_wrapped_over_two_lines(self):
        page = "first line\nsee [Redis in the\ncloud](redis.md#tls) here\n"
        self.assertEqual(list(links(page)), [(2, "redis.md#tls")])

    def test_code_is_not_a_link(self):
        page = "`[a](not-a-link.md)`\n\n```\n[b](nor-this.md)\n```\n[c](this.md)\n"
        self.assertEqual(list(links(page)), [(6, "this.md")])


if __name__ == "__main__":
    unittest.main()
