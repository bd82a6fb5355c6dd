output "web_acl_arn" {
  description = "ARN of the web ACL for the CloudFront distribution (frontend module input web_acl_arn); null when create is false."
  value       = one(aws_wafv2_web_acl.this[*].arn)
}

output "log_group_name" {
  description = "CloudWatch log group (us-east-1) that receives the web ACL's logs; null when create is false."
  value       = one(aws_cloudwatch_log_group.this[*].name)
}
