export { ServiceTestKit, type ServiceTopics } from './service-test-kit';
