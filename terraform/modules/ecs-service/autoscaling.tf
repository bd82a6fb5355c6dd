locals {
  autoscaling   = var.create_service && var.scaling_metric != "none"
  queue_scaling = local.autoscaling && var.scaling_metric == "queue_backlog"

  predefined_metric_types = {
    alb_requests = "ALBRequestCountPerTarget"
    cpu          = "ECSServiceAverageCPUUtilization"
  }

  # Both the queue's depth (published by the Consumer as EMF) and the running task count (from
  # Container Insights) are needed by the backlog-per-task policy and the wake-from-zero alarm.
  running_tasks_dimensions = { ClusterName = var.cluster_name, ServiceName = var.name }
}

resource "aws_appautoscaling_target" "this" {
  count = local.autoscaling ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

# Producer: requests per target (or CPU). Consumer: queued messages per running task, the metric
# math AWS documents for backlog-per-task scaling; CPU says nothing about a queue's backlog.
resource "aws_appautoscaling_policy" "target_tracking" {
  count = local.autoscaling ? 1 : 0

  name               = "${var.name}-${var.scaling_metric}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.scaling_target
    scale_out_cooldown = 60
    scale_in_cooldown  = 180

    dynamic "predefined_metric_specification" {
      for_each = local.queue_scaling ? [] : [local.predefined_metric_types[var.scaling_metric]]

      content {
        predefined_metric_type = predefined_metric_specification.value
        resource_label         = var.scaling_metric == "alb_requests" ? var.alb_resource_label : null
      }
    }

    dynamic "customized_metric_specification" {
      for_each = local.queue_scaling ? [1] : []

      content {
        metrics {
          id          = "depth"
          label       = "Messages waiting in the queue"
          return_data = false

          metric_stat {
            stat = "Average"

            metric {
              namespace   = var.queue_metric_namespace
              metric_name = "QueueDepth"

              dynamic "dimensions" {
                for_each = var.queue_metric_dimensions

                content {
                  name  = dimensions.key
                  value = dimensions.value
                }
              }
            }
          }
        }

        metrics {
          id          = "tasks"
          label       = "Running Consumer tasks"
          return_data = false

          metric_stat {
            stat = "Average"

            metric {
              namespace   = "ECS/ContainerInsights"
              metric_name = "RunningTaskCount"

              dynamic "dimensions" {
                for_each = local.running_tasks_dimensions

                content {
                  name  = dimensions.key
                  value = dimensions.value
                }
              }
            }
          }
        }

        metrics {
          id          = "backlog_per_task"
          label       = "Queued messages per running Consumer task"
          expression  = "depth / tasks"
          return_data = true
        }
      }
    }
  }
}

# Backlog per task is undefined at zero tasks, so target tracking cannot start the first one.
# This step policy adds a task when there is a backlog and nothing is running.
resource "aws_appautoscaling_policy" "wake_from_zero" {
  count = local.queue_scaling ? 1 : 0

  name               = "${var.name}-wake-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  step_scaling_policy_configuration {
    # ChangeInCapacity (not ExactCapacity): a false alarm can only add a task, never shrink a busy service.
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "backlog_without_consumers" {
  count = local.queue_scaling ? 1 : 0

  alarm_name          = "${var.name}-backlog-without-consumers"
  alarm_description   = "Messages are waiting and no ${var.program} task runs: starts one (scaling, not paging)."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.wake_from_zero[0].arn]

  metric_query {
    id = "depth"

    metric {
      namespace   = var.queue_metric_namespace
      metric_name = "QueueDepth"
      dimensions  = var.queue_metric_dimensions
      period      = 60
      stat        = "Maximum"
    }
  }

  metric_query {
    id = "tasks"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = local.running_tasks_dimensions
      period      = 60
      stat        = "Maximum"
    }
  }

  metric_query {
    id          = "wake"
    label       = "Backlog with no running task"
    expression  = "IF(depth > 0 AND FILL(tasks, 0) == 0, 1, 0)"
    return_data = true
  }
}
