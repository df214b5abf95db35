import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../main/create-worker.js';
import { bundleWorkflowsApart } from '../../main/workflow-bundle.js';
import { workflowTracingModules } from '../../platform/tracing.js';

describe('the workflow bundle built in a child process', () => {
  it('holds the workflows, and the tracing interceptors when asked', async () => {
    const [plain, traced] = await Promise.all([bundleWorkflowsApart(workflowsPath), bundleWorkflowsApart(workflowsPath, workflowTracingModules)]);
    // Checked as booleans: a failed match would print the whole bundle.
    expect(plain.includes('sanctionWorkflow')).toBe(true);
    expect(plain.includes('interceptors-opentelemetry/lib/workflow-interceptors')).toBe(false);
    expect(traced.includes('interceptors-opentelemetry/lib/workflow-interceptors')).toBe(true);
  }, 120_000);

  it('fails with the bundler’s reason', async () => {
    await expect(bundleWorkflowsApart('/nonexistent/workflows.ts')).rejects.toThrow(/bundling the workflows failed: .*nonexistent/s);
  }, 60_000);
});
