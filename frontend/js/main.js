// Starts the dashboard: reads the deploy's configuration, then connects the API client,
// the poller, the view and the send controls.
import { createApiClient } from "./api.js";
import { wireActions } from "./actions.js";
import { wireAdmin } from "./admin.js";
import { wireHistory } from "./history-panel.js";
import { createPoller } from "./poller.js";
import { askForWriteToken } from "./token-dialog.js";
import { renderState } from "./view.js";
import { createWriteToken } from "./write-token.js";

const apiBase = window.COUNT_PIPELINE_CONFIG?.apiBase ?? "/api";
const api = createApiClient({ base: apiBase, writeToken: createWriteToken({ ask: askForWriteToken }) });
const poller = createPoller({ api });

document.getElementById("api-base").textContent = api.base || "/";
poller.subscribe((state) => renderState(state, { onRetry: poller.refresh }));
wireActions(api, poller.refresh);
wireHistory(api);
wireAdmin(api, poller.refresh);
poller.refresh();
