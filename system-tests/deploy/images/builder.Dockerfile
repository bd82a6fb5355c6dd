# Local stand-in for debian:trixie as BUILDER_IMAGE on a machine that reaches no image registry
# and no github.com: trixie plus a git mirror of the Swift packages, found through insteadOf.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY swift-packages/ /opt/swift-packages/
COPY gitconfig /etc/gitconfig
