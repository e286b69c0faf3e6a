/** A worker thread that writes a group of CloudTrail hours (see `aws-hours.ts`) and posts back what it wrote. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeAwsHours, type AwsHoursJob } from './aws-hours.js';

parentPort?.postMessage(await writeAwsHours(workerData as AwsHoursJob));
