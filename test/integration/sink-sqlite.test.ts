import { sinkContract } from './sink-contract';

sinkContract('sqlite', () => ({ env: (index) => ({ SINK: 'sqlite', INDEX_NAME: index }) }));
