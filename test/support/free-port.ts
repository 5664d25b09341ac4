export { freePort } from '../../localstack/ports';
