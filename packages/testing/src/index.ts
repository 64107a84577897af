export { waitFor } from './wait-for';
export { repoRoot } from './repo-root';
export {
  blockDatabase,
  createTestDatabase,
  createEmptyDatabase,
  unblockDatabase,
  type TestDatabase,
  type EmptyDatabase,
} from './test-database';
export { testKafka, uniqueTopic, uniqueGroup, readTopic, kafkaBroker, deleteTestTopics, type Collected } from './kafka';
export { captureOutput, type CapturedOutput, type CapturingLogger } from './capture-output';
