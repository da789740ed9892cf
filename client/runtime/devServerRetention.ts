import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';

type NamespaceReply = temporal.api.workflowservice.v1.IDescribeNamespaceResponse;

/** The retention `temporal server start-dev` gives every namespace it creates: one day. */
const DEV_SERVER_RETENTION_SECONDS = 86_400;

/**
 * How long council's persistent embedded server keeps a closed run: ten years, in effect until its
 * data directory is deleted. The dev server's day deleted a run's history, and with it its answers
 * and a long session's early transcript, a day after the run closed.
 */
export const EMBEDDED_RETENTION_DAYS = 3650;

/**
 * How often the server's services read namespaces again (DEV_SERVER_DYNAMIC_CONFIG): a run that
 * closes takes its retention from what they last read, so a raise counts for runs that close after it.
 */
export const NAMESPACE_REFRESH_MS = 1_000;

/**
 * Raises each namespace that still has the dev server's retention to {@link EMBEDDED_RETENTION_DAYS},
 * then waits until the server's services have read the raise: done once, when a data directory is
 * new. A retention someone set (`temporal operator namespace update --retention`) is kept.
 */
export async function keepClosedRuns(
  connection: Connection,
  replies: readonly NamespaceReply[],
): Promise<void> {
  const raised = replies
    .filter(
      (reply) =>
        Number(reply.config?.workflowExecutionRetentionTtl?.seconds ?? 0) === DEV_SERVER_RETENTION_SECONDS,
    )
    .map((reply) => reply.namespaceInfo?.name ?? '');
  for (const namespace of raised) {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: msToTs(EMBEDDED_RETENTION_DAYS * 86_400_000) },
    });
  }
  // A refresh that read just before the raise is followed by one that reads it, an interval later.
  if (raised.length > 0) await new Promise((resolve) => setTimeout(resolve, NAMESPACE_REFRESH_MS + 250));
}
