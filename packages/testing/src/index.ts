export { waitFor } from './wait-for';
export { repoRoot } from './repo-root';
export { createTestDatabase, type TestDatabase } from './test-database';
export { testKafka, uniqueTopic, uniqueGroup, readTopic, kafkaBroker, type Collected } from './kafka';
