import { describe, expect, it } from 'vitest';
import { InvalidSettings, loadSettings } from '../../platform/settings.js';

describe('the worker settings', () => {
  it('default to a bounded workflow cache and few activity slots on each queue', () => {
    expect(loadSettings({}).worker).toEqual({
      coordination: { maxCachedWorkflows: 200, maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: 40 },
      background: { maxCachedWorkflows: 50, maxConcurrentActivityTaskExecutions: 10, maxConcurrentWorkflowTaskExecutions: 10 },
      workflowThreadPoolSize: 1,
    });
    expect(loadSettings({}).warmUp).toBe(true);
  });

  it('read every limit from the environment', () => {
    const settings = loadSettings({
      WORKER_CACHED_WORKFLOWS: '500',
      WORKER_ACTIVITY_SLOTS: '30',
      WORKER_WORKFLOW_TASK_SLOTS: '50',
      WORKER_BACKGROUND_CACHED_WORKFLOWS: '0',
      WORKER_BACKGROUND_ACTIVITY_SLOTS: '4',
      WORKER_BACKGROUND_WORKFLOW_TASK_SLOTS: '2',
      WORKER_WORKFLOW_THREADS: '2',
      WARM_UP: 'false',
    });
    expect(settings.worker).toEqual({
      coordination: { maxCachedWorkflows: 500, maxConcurrentActivityTaskExecutions: 30, maxConcurrentWorkflowTaskExecutions: 50 },
      background: { maxCachedWorkflows: 0, maxConcurrentActivityTaskExecutions: 4, maxConcurrentWorkflowTaskExecutions: 2 },
      workflowThreadPoolSize: 2,
    });
    expect(settings.warmUp).toBe(false);
  });

  it('refuse limits the SDK would silently change: a workflow task slot count above the cache, one slot, or a cache of one', () => {
    expect(() => loadSettings({ WORKER_CACHED_WORKFLOWS: '30', WORKER_WORKFLOW_TASK_SLOTS: '40' })).toThrow(/WORKER_WORKFLOW_TASK_SLOTS/);
    expect(() => loadSettings({ WORKER_WORKFLOW_TASK_SLOTS: '1' })).toThrow(InvalidSettings);
    expect(() => loadSettings({ WORKER_BACKGROUND_CACHED_WORKFLOWS: '1' })).toThrow(/WORKER_BACKGROUND_CACHED_WORKFLOWS/);
    expect(() => loadSettings({ WORKER_ACTIVITY_SLOTS: '0' })).toThrow(/WORKER_ACTIVITY_SLOTS/);
    expect(() => loadSettings({ WORKER_ACTIVITY_SLOTS: 'many' })).toThrow(/WORKER_ACTIVITY_SLOTS/);
    expect(() => loadSettings({ WARM_UP: 'maybe' })).toThrow(/WARM_UP/);
  });
});
