import Hummingbird
import Queue

/// What `/history` and `/admin/...` work on: the queue, its history, and the operations the CLI
/// shares. The admin routes are added only when `ADMIN_TOKEN` is set; without it they do not exist (404).
struct HistoryAndAdminRoutes: Sendable {
    let queue: QueueShards
    let history: HistoryRecorder

    func addRoutes<Context: RequestContext>(to group: RouterGroup<Context>, configuration: ProducerConfiguration) {
        HistoryController<Context>(history: HistoryReader(queue: queue), requestTimeout: configuration.requestTimeout).addRoutes(to: group)
        if let token = configuration.adminToken {
            AdminController<Context>(
                operations: OperatorActions(queue: queue, history: history), queue: queue, token: token,
                requestTimeout: configuration.requestTimeout
            ).addRoutes(to: group)
        }
    }
}
