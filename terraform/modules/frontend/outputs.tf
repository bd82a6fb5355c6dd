output "bucket_name" {
  description = "Name of the page bucket (deploy.sh uploads frontend/ here)."
  value       = aws_s3_bucket.this.id
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "*.cloudfront.net name of the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "url" {
  description = "HTTPS address of the dashboard; the API is under /api/."
  value       = "https://${local.custom_domain ? var.aliases[0] : aws_cloudfront_distribution.this.domain_name}"
}

output "response_headers_policy_id" {
  description = "ID of the security response-headers policy (CSP, HSTS, nosniff, framing) on every behaviour."
  value       = aws_cloudfront_response_headers_policy.security_headers.id
}
