/**
 * Runbooks whose commands are tested: {@link dev.homeport.e2e.runbook.RunbookPage} reads a page's
 * command blocks (fenced blocks tagged {@code sh}) by the conventions of runbooks/README.md, and
 * {@link dev.homeport.e2e.runbook.RunbookRunner} runs them with bash, in page order, against the
 * local system, with {@link dev.homeport.e2e.runbook.StandIn}s where a command acts on a region's
 * own infrastructure that the local system runs as plain processes.
 */
package dev.homeport.e2e.runbook;
