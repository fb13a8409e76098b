import { driverContract } from './driver_contract.js'

driverContract('bullmq')
