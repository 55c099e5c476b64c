export { Journal, JournalPersistence } from "./journal-persistence.js";
export { createJournalFs, type OpenJournalOptions, openJournalFs } from "./open-journal-fs.js";
