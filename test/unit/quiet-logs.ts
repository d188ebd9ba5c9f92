// Imported before anything that creates the logger, so handler tests print only their results.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
