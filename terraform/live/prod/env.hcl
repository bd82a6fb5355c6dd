# prod: highly available. Three AZs with a NAT gateway each, Multi-AZ database, Redis replicas
# with automatic failover, at least two tasks per service, deletion protection, 90 days of logs.
locals {
  environment         = "prod"
  name_prefix         = "count-prod"
  aws_region          = "eu-west-1"
  availability_zones  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  log_retention_days  = 90
  deletion_protection = true
  alarm_emails        = []

  # AWS WAF on the CloudFront distribution (on); the limit is
  # POST /api/count requests per client IP per minute, answered 429 beyond it.
  waf_enabled                     = true
  waf_post_count_limit_per_minute = 300

  # Custom API origin name on the ALB's ACM certificate: CloudFront then speaks HTTPS to the ALB.
  api_domain_name     = null
  api_certificate_arn = null

  # The programs' database secrets rotate automatically (every 30 days; alternating users, AWS's
  # multi-user rotation function in the VPC). Secrets Manager is reached through an interface
  # endpoint (private DNS), so secret reads and the rotation stay inside the VPC.
  db_secret_rotation_days = 30
  secretsmanager_endpoint = true
}
