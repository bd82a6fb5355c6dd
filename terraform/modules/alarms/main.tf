locals {
  queue_dimensions = { Environment = var.environment, Queue = var.queue_name }
  alb_dimensions   = { LoadBalancer = var.alb_arn_suffix }
  tg_dimensions    = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  db_dimensions    = { DBInstanceIdentifier = var.db_instance_identifier }

  # Each alarm is one row; `missing` says what silence means. The queue metrics come from the
  # Consumer's EMF lines every 10 s: no data there means no Consumer is running, which is itself
  # worth a page, so silence counts as breaching.
  fixed_alarms = {
    queue-depth = {
      namespace   = var.queue_metric_namespace, metric = "QueueDepth", dimensions = local.queue_dimensions
      stat        = "Maximum", threshold = var.queue_depth_threshold, periods = 5, missing = "breaching"
      description = "More than ${var.queue_depth_threshold} messages wait in ${var.queue_name} (or no Consumer reports)."
    }
    oldest-message-age = {
      namespace   = var.queue_metric_namespace, metric = "OldestMessageAgeSeconds", dimensions = local.queue_dimensions
      stat        = "Maximum", threshold = var.oldest_message_age_seconds, periods = 3, missing = "breaching"
      description = "The oldest queued message is older than ${var.oldest_message_age_seconds} s: Consumers fall behind or are stuck."
    }
    dead-letters = {
      namespace   = var.queue_metric_namespace, metric = "DeadLetterDepth", dimensions = local.queue_dimensions
      stat        = "Maximum", threshold = 0, periods = 1, missing = "notBreaching"
      description = "Messages were dead-lettered ({${var.queue_name}}:dead): malformed input needs a look."
    }
    alb-5xx = {
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_ELB_5XX_Count", dimensions = local.alb_dimensions
      stat        = "Sum", threshold = var.alb_5xx_per_minute, periods = 3, missing = "notBreaching"
      description = "The ALB itself answers 5xx (no healthy Producer, timeouts)."
    }
    target-5xx = {
      namespace   = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", dimensions = local.tg_dimensions
      stat        = "Sum", threshold = var.alb_5xx_per_minute, periods = 3, missing = "notBreaching"
      description = "The Producer answers 5xx (503 means Redis or the database is unreachable)."
    }
    unhealthy-hosts = {
      namespace   = "AWS/ApplicationELB", metric = "UnHealthyHostCount", dimensions = local.tg_dimensions
      stat        = "Maximum", threshold = 0, periods = 3, missing = "notBreaching"
      description = "A Producer task fails the ALB health check."
    }
    rds-cpu = {
      namespace   = "AWS/RDS", metric = "CPUUtilization", dimensions = local.db_dimensions
      stat        = "Average", threshold = var.rds_cpu_percent, periods = 5, missing = "missing"
      description = "Database CPU above ${var.rds_cpu_percent}%."
    }
    rds-free-storage = {
      namespace   = "AWS/RDS", metric = "FreeStorageSpace", dimensions = local.db_dimensions
      stat        = "Minimum", threshold = var.rds_free_storage_gb * 1073741824, periods = 1, missing = "missing", below = true
      description = "Database free storage below ${var.rds_free_storage_gb} GiB (storage autoscaling may have hit its ceiling)."
    }
  }

  # ElastiCache reports per node, so each node gets its own pair of alarms.
  redis_alarms = merge([for node in var.redis_member_clusters : {
    "redis-memory-${node}" = {
      namespace   = "AWS/ElastiCache", metric = "DatabaseMemoryUsagePercentage", dimensions = { CacheClusterId = node }
      stat        = "Maximum", threshold = var.redis_memory_percent, periods = 3, missing = "missing"
      description = "Redis node ${node} uses more than ${var.redis_memory_percent}% of its memory; with noeviction, writes fail when full."
    }
    "redis-evictions-${node}" = {
      namespace   = "AWS/ElastiCache", metric = "Evictions", dimensions = { CacheClusterId = node }
      stat        = "Sum", threshold = 0, periods = 1, missing = "notBreaching"
      description = "Redis node ${node} evicted keys: a queue must never lose data, check maxmemory-policy."
    }
  }]...)

  alarms = merge(local.fixed_alarms, local.redis_alarms)
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.stat
  period              = 60
  evaluation_periods  = each.value.periods
  threshold           = each.value.threshold
  comparison_operator = try(each.value.below, false) ? "LessThanThreshold" : "GreaterThanThreshold"
  treat_missing_data  = each.value.missing
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}
