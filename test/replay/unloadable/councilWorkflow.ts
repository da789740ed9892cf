// Stands in for workflows/council/workflow.ts in test/replay/workflowModules.test.ts: loading it fails.
throw new Error('the council workflow module was loaded');
