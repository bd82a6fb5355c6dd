output "sns_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (subscribe chat or paging tools here)."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Names of all alarms."
  value       = sort([for alarm in aws_cloudwatch_metric_alarm.this : alarm.alarm_name])
}
