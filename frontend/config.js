// Where the page finds the Producer API. The deploy rewrites this file; locally the
// Producer serves this page and answers under /api/ on the same origin.
window.COUNT_PIPELINE_CONFIG = { apiBase: "/api" };
