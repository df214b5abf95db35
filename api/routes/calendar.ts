import { Router } from 'express';
import type { CalendarService } from '../../app/calendar.js';
import { permit } from '../auth.js';

/** Mounted at /api/calendar: the holiday calendar deadlines are counted on. */
export function calendarRoutes(calendar: CalendarService): Router {
  const router = Router();
  router.get('/', permit('calendar:read'), async (_req, res) => {
    res.json(await calendar.view());
  });
  // Operators (the admin key) add each year from the State Council's notice.
  router.post('/', permit('calendar:import'), async (req, res) => {
    const result = await calendar.import(req.body);
    res.status(result.created ? 201 : 200).json(result);
  });
  return router;
}
