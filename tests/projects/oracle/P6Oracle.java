/*
 * Keel's outside truth for the Primavera P6 scheduling dialect: MPXJ builds P6 schedules, writes
 * them as .xer and P6 XML, and schedules them with its own reconstruction of P6's scheduler
 * (org.mpxj.cpm.PrimaveraScheduler). Kept in the repository as source; run it with Java's
 * single-file source launcher, no build step:
 *
 *   java -cp "<site-packages>/mpxj/lib/*" tests/projects/oracle/P6Oracle.java build SPEC.json OUT_PREFIX [...]
 *       each schedule described in JSON (see tests/projects/oracle/make_p6_files.py) -> OUT_PREFIX.xer
 *       and OUT_PREFIX.xml (P6 XML), both scheduled by MPXJ first so the files carry dates
 *   java -cp ... P6Oracle.java schedule FILE [FILE ...]
 *       read each file with MPXJ, print what it read (project options, calendars, activities,
 *       relationships, the dates stored in the file) and MPXJ's PrimaveraScheduler results, as
 *       one JSON object keyed by file name
 *   java -cp ... P6Oracle.java bench SPEC.json REPEAT
 *       build the spec REPEAT times and time PrimaveraScheduler.schedule alone (nanoseconds,
 *       measured inside the JVM: JVM start, JSON and model building are excluded); print what
 *       was built (as "schedule" does), the best time and the results as JSON
 *
 * Durations and lags in specs are hours; dates are ISO local date-times (no zone).
 */

import java.io.File;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.mpxj.ActivityType;
import org.mpxj.ConstraintType;
import org.mpxj.CriticalActivityType;
import org.mpxj.DayType;
import org.mpxj.Duration;
import org.mpxj.LocalTimeRange;
import org.mpxj.ProjectCalendar;
import org.mpxj.ProjectCalendarException;
import org.mpxj.ProjectCalendarHours;
import org.mpxj.ProjectFile;
import org.mpxj.ProjectProperties;
import org.mpxj.Relation;
import org.mpxj.RelationType;
import org.mpxj.RelationshipLagCalendar;
import org.mpxj.SchedulingProgressedActivities;
import org.mpxj.Task;
import org.mpxj.TimeUnit;
import org.mpxj.TotalSlackCalculationType;
import org.mpxj.cpm.PrimaveraScheduler;
import org.mpxj.primavera.PrimaveraPMFileWriter;
import org.mpxj.primavera.PrimaveraXERFileWriter;
import org.mpxj.reader.UniversalProjectReader;

public class P6Oracle
{
   private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

   public static void main(String[] args) throws Exception
   {
      switch (args[0])
      {
         case "build":
         {
            for (int index = 1; index + 1 < args.length; index += 2)
            {
               ProjectFile file = build(JSON.readTree(new File(args[index])));
               // Schedule so the files carry dates, as a P6 export does. MPXJ's scheduler also
               // rewrites an activity in progress's at-completion duration as the span from its
               // actual start to its early finish (waiting time included); P6's is actual +
               // remaining, and MPXJ reads it back to place the remaining work of an activity
               // without predecessors, so keep the durations the spec gave.
               Map<Task, Duration> durations = new HashMap<>();
               file.getTasks().forEach(t -> durations.put(t, t.getDuration()));
               // The dates written must be P6's: under progress override the relationships P6
               // ignores are left out while scheduling (see applyP6ProgressRule), then restored.
               List<Relation> ignored = new ArrayList<>();
               applyP6ProgressRule(file, ignored);
               schedule(file);
               durations.forEach(Task::setDuration);
               for (Relation relation : ignored)
               {
                  relation.getSuccessorTask().addPredecessor(new Relation.Builder()
                     .predecessorTask(relation.getPredecessorTask())
                     .type(relation.getType())
                     .lag(relation.getLag()));
               }
               new PrimaveraXERFileWriter().write(file, args[index + 1] + ".xer");
               new PrimaveraPMFileWriter().write(file, args[index + 1] + ".xml");
            }
            break;
         }

         case "schedule":
         {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int index = 1; index < args.length; index++)
            {
               ProjectFile file = new UniversalProjectReader().read(args[index]);
               Map<String, Object> report = describe(file);
               report.put("file_dates", dates(file));
               report.put("p6_rules_applied", applyP6ProgressRule(file, new ArrayList<>()));
               long nanos = schedule(file);
               report.put("mpxj", dates(file));
               report.put("mpxj_nanos", nanos);
               out.put(new File(args[index]).getName(), report);
            }
            System.out.println(JSON.writeValueAsString(out));
            break;
         }

         case "bench":
         {
            JsonNode spec = JSON.readTree(new File(args[1]));
            int repeat = Integer.parseInt(args[2]);
            long best = Long.MAX_VALUE;
            Map<String, Object> read = describe(build(spec));
            ProjectFile file = null;
            for (int run = 0; run < repeat; run++)
            {
               file = build(spec);
               best = Math.min(best, schedule(file));
            }
            Map<String, Object> out = read;
            out.put("nanos", best);
            out.put("relation_count", file.getRelations().size());
            out.put("mpxj", dates(file));
            System.out.println(JSON.writeValueAsString(out));
            break;
         }

         default:
            throw new IllegalArgumentException("usage: build SPEC OUT... | schedule FILE... | bench SPEC REPEAT");
      }
   }

   /** Schedule with MPXJ's P6 scheduler from the project's planned start; return the nanoseconds it took. */
   private static long schedule(ProjectFile file) throws Exception
   {
      LocalDateTime start = file.getProjectProperties().getPlannedStart();
      if (start == null)
      {
         start = file.getProjectProperties().getStartDate();
      }
      long began = System.nanoTime();
      new PrimaveraScheduler().schedule(file, start);
      return System.nanoTime() - began;
   }

   /**
    * MPXJ's PrimaveraScheduler implements P6's default "retained logic" only; it ignores the
    * project's "when scheduling progressed activities use" option. Under progress override (and
    * actual dates, which also override the logic) P6 disregards a relationship from an unfinished
    * predecessor to an activity already in progress: the activity's remaining work resumes at the
    * data date and the relationship no longer constrains either side. Apply that documented rule
    * here, by removing those relationships before MPXJ schedules, and say what was removed.
    */
   private static List<String> applyP6ProgressRule(ProjectFile file, List<Relation> removed)
   {
      List<String> applied = new ArrayList<>();
      SchedulingProgressedActivities mode = file.getProjectProperties().getSchedulingProgressedActivities();
      if (mode != SchedulingProgressedActivities.PROGRESS_OVERRIDE && mode != SchedulingProgressedActivities.ACTUAL_DATES)
      {
         return applied;
      }
      for (Relation relation : new ArrayList<>(file.getRelations()))
      {
         Task predecessor = relation.getPredecessorTask();
         Task successor = relation.getSuccessorTask();
         if (successor.getActualStart() != null && successor.getActualFinish() == null && predecessor.getActualFinish() == null)
         {
            if (!file.getRelations().remove(relation))
            {
               throw new IllegalStateException("could not remove " + relation);
            }
            removed.add(relation);
            applied.add(mode + ": ignored " + relation.getType() + " " + predecessor.getActivityID() + " -> " + successor.getActivityID());
         }
      }
      return applied;
   }

   // -- building a ProjectFile from a spec ------------------------------------------------------

   private static ProjectFile build(JsonNode spec)
   {
      ProjectFile file = new ProjectFile();
      ProjectProperties props = file.getProjectProperties();
      props.setName(spec.path("name").asText("Keel oracle"));
      props.setProjectID(spec.path("name").asText("KEEL"));
      LocalDateTime start = date(spec.get("start"));
      props.setPlannedStart(start);
      props.setStartDate(start);
      props.setStatusDate(date(spec.get("data_date")));
      props.setMustFinishBy(date(spec.get("must_finish_by")));
      props.setRelationshipLagCalendar(lagCalendar(spec.path("lag_calendar").asText("predecessor")));
      props.setTotalSlackCalculationType(floatType(spec.path("float_mode").asText("finish")));
      props.setCriticalActivityType("longest_path".equals(spec.path("critical_mode").asText()) ? CriticalActivityType.LONGEST_PATH : CriticalActivityType.TOTAL_FLOAT);
      props.setCriticalSlackLimit(Duration.getInstance(spec.path("critical_float_hours").asDouble(0), TimeUnit.HOURS));
      props.setSchedulingProgressedActivities(progressMode(spec.path("progress_mode").asText("retained_logic")));

      Map<String, ProjectCalendar> calendars = new HashMap<>();
      for (JsonNode node : spec.path("calendars"))
      {
         ProjectCalendar calendar = file.addCalendar();
         calendar.setName(node.get("name").asText());
         for (DayOfWeek day : DayOfWeek.values())
         {
            JsonNode ranges = node.path("week").path(String.valueOf(day.getValue()));
            ProjectCalendarHours hours = calendar.addCalendarHours(day);
            if (ranges.isMissingNode() || ranges.size() == 0)
            {
               calendar.setCalendarDayType(day, DayType.NON_WORKING);
               continue;
            }
            calendar.setCalendarDayType(day, DayType.WORKING);
            for (JsonNode range : ranges)
            {
               hours.add(new LocalTimeRange(LocalTime.parse(range.get(0).asText()), LocalTime.parse(range.get(1).asText())));
            }
         }
         for (JsonNode holiday : node.path("holidays"))
         {
            calendar.addCalendarException(LocalDate.parse(holiday.asText()));
         }
         calendars.put(node.get("id").asText(), calendar);
      }
      ProjectCalendar defaultCalendar = calendars.get(spec.get("default_calendar").asText());
      file.setDefaultCalendar(defaultCalendar);

      Map<String, Task> wbs = new HashMap<>();
      for (JsonNode node : spec.path("wbs"))
      {
         JsonNode parent = node.get("parent");
         Task task = parent == null || parent.isNull() ? file.addTask() : wbs.get(parent.asText()).addTask();
         task.setName(node.get("name").asText());
         task.setWBS(node.get("id").asText());
         task.setSummary(true);
         wbs.put(node.get("id").asText(), task);
      }

      Map<String, Task> activities = new HashMap<>();
      for (JsonNode node : spec.path("activities"))
      {
         Task task = wbs.get(node.get("wbs").asText()).addTask();
         task.setActivityID(node.get("id").asText());
         task.setName(node.path("name").asText(node.get("id").asText()));
         ActivityType type = activityType(node.path("type").asText("task"));
         task.setActivityType(type);
         task.setMilestone(type == ActivityType.START_MILESTONE || type == ActivityType.FINISH_MILESTONE);
         // A P6 activity always has a calendar: the project default unless the spec names one.
         task.setCalendar(node.hasNonNull("calendar") ? calendars.get(node.get("calendar").asText()) : defaultCalendar);
         double hours = node.path("duration_h").asDouble(0);
         double remaining = node.path("remaining_h").asDouble(hours);
         task.setDuration(Duration.getInstance(hours, TimeUnit.HOURS));
         task.setPlannedDuration(Duration.getInstance(hours, TimeUnit.HOURS));
         task.setRemainingDuration(Duration.getInstance(remaining, TimeUnit.HOURS));
         task.setActualDuration(Duration.getInstance(Math.max(0, hours - remaining), TimeUnit.HOURS));
         task.setActualStart(date(node.get("actual_start")));
         task.setActualFinish(date(node.get("actual_finish")));
         double percent = hours == 0 ? (node.hasNonNull("actual_finish") ? 100 : 0) : 100.0 * (hours - remaining) / hours;
         task.setPercentageComplete(Double.valueOf(node.path("percent").asDouble(percent)));
         if (node.hasNonNull("constraint"))
         {
            task.setConstraintType(constraintType(node.get("constraint").asText()));
            task.setConstraintDate(date(node.get("constraint_date")));
         }
         activities.put(node.get("id").asText(), task);
      }

      for (JsonNode node : spec.path("links"))
      {
         Task predecessor = activities.get(node.get("pred").asText());
         Task successor = activities.get(node.get("succ").asText());
         successor.addPredecessor(new Relation.Builder()
            .predecessorTask(predecessor)
            .type(relationType(node.path("type").asText("FS")))
            .lag(Duration.getInstance(node.path("lag_h").asDouble(0), TimeUnit.HOURS)));
      }
      return file;
   }

   private static LocalDateTime date(JsonNode node)
   {
      return node == null || node.isNull() ? null : LocalDateTime.parse(node.asText());
   }

   private static RelationshipLagCalendar lagCalendar(String value)
   {
      switch (value)
      {
         case "successor": return RelationshipLagCalendar.SUCCESSOR;
         case "24h": return RelationshipLagCalendar.TWENTY_FOUR_HOUR;
         case "project": return RelationshipLagCalendar.PROJECT_DEFAULT;
         default: return RelationshipLagCalendar.PREDECESSOR;
      }
   }

   private static TotalSlackCalculationType floatType(String value)
   {
      switch (value)
      {
         case "start": return TotalSlackCalculationType.START_SLACK;
         case "smallest": return TotalSlackCalculationType.SMALLEST_SLACK;
         default: return TotalSlackCalculationType.FINISH_SLACK;
      }
   }

   private static SchedulingProgressedActivities progressMode(String value)
   {
      switch (value)
      {
         case "progress_override": return SchedulingProgressedActivities.PROGRESS_OVERRIDE;
         case "actual_dates": return SchedulingProgressedActivities.ACTUAL_DATES;
         default: return SchedulingProgressedActivities.RETAINED_LOGIC;
      }
   }

   private static ActivityType activityType(String value)
   {
      switch (value)
      {
         case "start_milestone": return ActivityType.START_MILESTONE;
         case "finish_milestone": return ActivityType.FINISH_MILESTONE;
         case "loe": return ActivityType.LEVEL_OF_EFFORT;
         case "wbs_summary": return ActivityType.WBS_SUMMARY;
         default: return ActivityType.TASK_DEPENDENT;
      }
   }

   private static ConstraintType constraintType(String value)
   {
      switch (value)
      {
         case "SNET": return ConstraintType.START_NO_EARLIER_THAN;
         case "SNLT": return ConstraintType.START_NO_LATER_THAN;
         case "FNET": return ConstraintType.FINISH_NO_EARLIER_THAN;
         case "FNLT": return ConstraintType.FINISH_NO_LATER_THAN;
         case "MSO": return ConstraintType.MUST_START_ON;
         case "MFO": return ConstraintType.MUST_FINISH_ON;
         case "ALAP": return ConstraintType.AS_LATE_AS_POSSIBLE;
         case "SO": return ConstraintType.START_ON;
         case "FO": return ConstraintType.FINISH_ON;
         default: return ConstraintType.AS_SOON_AS_POSSIBLE;
      }
   }

   private static RelationType relationType(String value)
   {
      switch (value)
      {
         case "SS": return RelationType.START_START;
         case "FF": return RelationType.FINISH_FINISH;
         case "SF": return RelationType.START_FINISH;
         default: return RelationType.FINISH_START;
      }
   }

   // -- describing a ProjectFile ----------------------------------------------------------------

   private static Map<String, Object> describe(ProjectFile file)
   {
      ProjectProperties props = file.getProjectProperties();
      Map<String, Object> out = new LinkedHashMap<>();
      Map<String, Object> project = new LinkedHashMap<>();
      project.put("name", props.getName());
      project.put("planned_start", text(props.getPlannedStart()));
      project.put("start", text(props.getStartDate()));
      project.put("data_date", text(props.getStatusDate()));
      project.put("must_finish_by", text(props.getMustFinishBy()));
      project.put("lag_calendar", String.valueOf(props.getRelationshipLagCalendar()));
      project.put("float_mode", String.valueOf(props.getTotalSlackCalculationType()));
      project.put("critical_mode", String.valueOf(props.getCriticalActivityType()));
      project.put("critical_float_minutes", minutes(props.getCriticalSlackLimit(), props));
      project.put("progress_mode", String.valueOf(props.getSchedulingProgressedActivities()));
      project.put("default_calendar", file.getDefaultCalendar() == null ? null : file.getDefaultCalendar().getUniqueID());
      out.put("project", project);

      List<Object> calendars = new ArrayList<>();
      for (ProjectCalendar calendar : file.getCalendars())
      {
         Map<String, Object> node = new LinkedHashMap<>();
         node.put("id", calendar.getUniqueID());
         node.put("name", calendar.getName());
         Map<String, Object> week = new LinkedHashMap<>();
         for (DayOfWeek day : DayOfWeek.values())
         {
            List<Object> ranges = new ArrayList<>();
            if (calendar.isWorkingDay(day))
            {
               for (LocalTimeRange range : calendar.getHours(day))
               {
                  ranges.add(List.of(range.getStart().toString(), range.getEnd().toString()));
               }
            }
            week.put(String.valueOf(day.getValue()), ranges);
         }
         node.put("week", week);
         List<Object> exceptions = new ArrayList<>();
         for (ProjectCalendarException exception : calendar.getCalendarExceptions())
         {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("from", exception.getFromDate().toString());
            item.put("to", exception.getToDate().toString());
            List<Object> ranges = new ArrayList<>();
            for (LocalTimeRange range : exception)
            {
               ranges.add(List.of(range.getStart().toString(), range.getEnd().toString()));
            }
            item.put("hours", ranges);
            exceptions.add(item);
         }
         node.put("exceptions", exceptions);
         calendars.add(node);
      }
      out.put("calendars", calendars);

      List<Object> tasks = new ArrayList<>();
      for (Task task : file.getTasks())
      {
         Map<String, Object> node = new LinkedHashMap<>();
         node.put("uid", task.getUniqueID());
         node.put("activity_id", task.getActivityID());
         node.put("wbs", task.getWBS());
         node.put("name", task.getName());
         node.put("summary", task.getSummary());
         node.put("parent_uid", task.getParentTask() == null ? null : task.getParentTask().getUniqueID());
         node.put("type", String.valueOf(task.getActivityType()));
         node.put("calendar", task.getEffectiveCalendar() == null ? null : task.getEffectiveCalendar().getUniqueID());
         node.put("duration_minutes", minutes(task.getPlannedDuration() != null ? task.getPlannedDuration() : task.getDuration(), props));
         node.put("remaining_minutes", minutes(task.getRemainingDuration(), props));
         node.put("actual_start", text(task.getActualStart()));
         node.put("actual_finish", text(task.getActualFinish()));
         node.put("percent_complete", task.getPercentageComplete() == null ? 0.0 : task.getPercentageComplete().doubleValue());
         node.put("constraint", String.valueOf(task.getConstraintType()));
         node.put("constraint_date", text(task.getConstraintDate()));
         tasks.add(node);
      }
      out.put("tasks", tasks);

      List<Object> relations = new ArrayList<>();
      for (Relation relation : file.getRelations())
      {
         Map<String, Object> node = new LinkedHashMap<>();
         node.put("pred", relation.getPredecessorTask().getUniqueID());
         node.put("succ", relation.getSuccessorTask().getUniqueID());
         node.put("type", String.valueOf(relation.getType()));
         node.put("lag_minutes", minutes(relation.getLag(), props));
         relations.add(node);
      }
      out.put("relations", relations);
      return out;
   }

   /** Every task's early/late dates, floats and flags as they stand in the ProjectFile. */
   private static Map<String, Object> dates(ProjectFile file)
   {
      ProjectProperties props = file.getProjectProperties();
      Map<String, Object> out = new LinkedHashMap<>();
      for (Task task : file.getTasks())
      {
         Map<String, Object> node = new LinkedHashMap<>();
         node.put("early_start", text(task.getEarlyStart()));
         node.put("early_finish", text(task.getEarlyFinish()));
         node.put("late_start", text(task.getLateStart()));
         node.put("late_finish", text(task.getLateFinish()));
         node.put("remaining_early_start", text(task.getRemainingEarlyStart()));
         node.put("start", text(task.getStart()));
         node.put("finish", text(task.getFinish()));
         node.put("total_float_minutes", safeMinutes(() -> task.getTotalSlack(), props));
         node.put("start_float_minutes", safeMinutes(() -> task.getStartSlack(), props));
         node.put("finish_float_minutes", safeMinutes(() -> task.getFinishSlack(), props));
         node.put("free_float_minutes", safeMinutes(() -> task.getFreeSlack(), props));
         Boolean critical;
         try
         {
            critical = Boolean.valueOf(task.getCritical());
         }
         catch (RuntimeException e)
         {
            critical = null;
         }
         node.put("critical", critical);
         node.put("longest_path", task.getLongestPath());
         out.put(String.valueOf(task.getUniqueID()), node);
      }
      return out;
   }

   private interface DurationSource
   {
      Duration get();
   }

   private static Long safeMinutes(DurationSource source, ProjectProperties props)
   {
      try
      {
         return minutes(source.get(), props);
      }
      catch (RuntimeException e)
      {
         return null;
      }
   }

   private static Long minutes(Duration duration, ProjectProperties props)
   {
      if (duration == null)
      {
         return null;
      }
      return Long.valueOf(Math.round(duration.convertUnits(TimeUnit.MINUTES, props).getDuration()));
   }

   private static String text(LocalDateTime value)
   {
      return value == null ? null : value.toString();
   }
}
