# dev: like test, kept running longer. Two AZs, one NAT gateway, smallest instances, one Spot
# task per service, two weeks of logs, everything deletable.
locals {
  environment         = "dev"
  name_prefix         = "count-dev"
  aws_region          = "eu-west-1"
  availability_zones  = ["eu-west-1a", "eu-west-1b"]
  log_retention_days  = 14
  deletion_protection = false
  alarm_emails        = []

  # AWS WAF on the CloudFront distribution (off by default: a web ACL costs ~$8 a month; set true to try the rules); the limit is
  # POST /api/count requests per client IP per minute, answered 429 beyond it.
  waf_enabled                     = false
  waf_post_count_limit_per_minute = 600

  # Custom API origin name on the ALB's ACM certificate: CloudFront then speaks HTTPS to the ALB.
  api_domain_name     = null
  api_certificate_arn = null

  # No automatic rotation of the database secrets (rotate by hand, docs/deploy.md); the tasks
  # reach Secrets Manager through the NAT gateway, no interface endpoint.
  db_secret_rotation_days = null
  secretsmanager_endpoint = false
}
