export { eventStoreMigrations } from './migrations';
