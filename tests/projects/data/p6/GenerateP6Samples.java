// Writes the small Primavera P6 files the P6 import tests read (tests/projects/test_p6_import.py):
// p6-sample.xer (XER) and p6-sample.xml (P6 XML, PMXML), built with MPXJ's own P6 writers, then
// edited as real P6 exports come: the XER gets a relationship repeated with the same type (P6
// allows an SS and an FF link between one pair, which the sample has too, and real exports
// repeat a link now and then) and an assignment with a tiny negative remaining quantity, which
// MPXJ writes into MSPDI as RemainingWork "PT0H0M-5S".
//
// The project: data date Tue 30 Nov 2021 00:00, retained logic, lags in the successor's calendar,
// smallest float, critical at total float <= 8 h, must finish by Fri 28 Jan 2022 17:00.
//   WBS 1 Civil
//     A1000 Mobilise          5 d, done (actual 1-5 Nov)
//     A1010 Excavate         10 d, 60 % (actual start 8 Nov), FS after A1000
//     A1020 Foundations      15 d, SS +3 d and FF +2 d after A1010 (two links, one pair)
//     A1030 Backfill          5 d, FS after A1020 (repeated in the XER)
//     A1040 Site supervision    level of effort, SS after A1000, FF after A1030
//     A1050 Civil summary       WBS summary activity
//     A1060 Civil complete    milestone, FS after A1030
//
// Regenerate (from the repository root, with the mpxj extra installed):
//   java -cp "$(python -c 'import mpxj,os;print(os.path.dirname(mpxj.__file__))')/lib/*" \
//        tests/projects/data/p6/GenerateP6Samples.java tests/projects/data/p6

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import org.mpxj.ActivityType;
import org.mpxj.CriticalActivityType;
import org.mpxj.Duration;
import org.mpxj.ProjectCalendar;
import org.mpxj.ProjectFile;
import org.mpxj.ProjectProperties;
import org.mpxj.Relation;
import org.mpxj.RelationType;
import org.mpxj.RelationshipLagCalendar;
import org.mpxj.Resource;
import org.mpxj.ResourceAssignment;
import org.mpxj.SchedulingProgressedActivities;
import org.mpxj.Task;
import org.mpxj.TimeUnit;
import org.mpxj.TotalSlackCalculationType;
import org.mpxj.cpm.PrimaveraScheduler;
import org.mpxj.primavera.PrimaveraPMFileWriter;
import org.mpxj.primavera.PrimaveraXERFileWriter;

public class GenerateP6Samples
{
   public static void main(String[] args) throws Exception
   {
      Path folder = Path.of(args.length > 0 ? args[0] : ".");
      ProjectFile file = build();
      // P6 files carry computed dates (P6 XML cannot be read back without them): MPXJ's own
      // Primavera scheduler computes them, as P6 would on "Schedule" (F9).
      new PrimaveraScheduler().schedule(file, file.getProjectProperties().getStartDate());
      Path xer = folder.resolve("p6-sample.xer");
      new PrimaveraXERFileWriter().write(file, xer.toString());
      Files.writeString(xer, repeatFirstLinkOf(Files.readString(xer, StandardCharsets.UTF_8), "A1030"), StandardCharsets.UTF_8);
      new PrimaveraPMFileWriter().write(file, folder.resolve("p6-sample.xml").toString());
   }

   private static Duration days(double value)
   {
      return Duration.getInstance(value, TimeUnit.DAYS);
   }

   private static LocalDateTime at(int month, int day, int hour)
   {
      return LocalDateTime.of(month >= 11 ? 2021 : 2022, month, day, hour, 0);
   }

   private static ProjectFile build()
   {
      ProjectFile file = new ProjectFile();
      ProjectCalendar calendar = file.addDefaultBaseCalendar();
      file.setDefaultCalendar(calendar);
      ProjectProperties props = file.getProjectProperties();
      props.setName("P6 sample");
      props.setProjectID("P6-SAMPLE");
      props.setStartDate(at(11, 1, 8));
      props.setStatusDate(at(11, 30, 0));
      props.setSchedulingProgressedActivities(SchedulingProgressedActivities.RETAINED_LOGIC);
      props.setRelationshipLagCalendar(RelationshipLagCalendar.SUCCESSOR);
      props.setTotalSlackCalculationType(TotalSlackCalculationType.SMALLEST_SLACK);
      props.setCriticalActivityType(CriticalActivityType.TOTAL_FLOAT);
      props.setCriticalSlackLimit(Duration.getInstance(8, TimeUnit.HOURS));
      props.setMustFinishBy(at(1, 28, 17));

      Task wbs = file.addTask();
      wbs.setName("Civil");
      wbs.setWBS("1");
      wbs.setSummary(true);

      Task mobilise = activity(wbs, "A1000", "Mobilise", 5);
      mobilise.setActualStart(at(11, 1, 8));
      mobilise.setActualFinish(at(11, 5, 17));
      mobilise.setPercentageComplete(100);
      mobilise.setRemainingDuration(days(0));

      Task excavate = activity(wbs, "A1010", "Excavate", 10);
      excavate.setActualStart(at(11, 8, 8));
      excavate.setPercentageComplete(60);
      excavate.setRemainingDuration(days(4));
      link(excavate, mobilise, RelationType.FINISH_START, 0);

      Task foundations = activity(wbs, "A1020", "Foundations", 15);
      link(foundations, excavate, RelationType.START_START, 3);
      link(foundations, excavate, RelationType.FINISH_FINISH, 2);

      Task backfill = activity(wbs, "A1030", "Backfill", 5);
      link(backfill, foundations, RelationType.FINISH_START, 0);

      Task supervision = activity(wbs, "A1040", "Site supervision", 0);
      supervision.setActivityType(ActivityType.LEVEL_OF_EFFORT);
      link(supervision, mobilise, RelationType.START_START, 0);
      link(supervision, backfill, RelationType.FINISH_FINISH, 0);

      Task summary = activity(wbs, "A1050", "Civil summary", 0);
      summary.setActivityType(ActivityType.WBS_SUMMARY);

      Task complete = activity(wbs, "A1060", "Civil complete", 0);
      complete.setMilestone(true);
      complete.setActivityType(ActivityType.FINISH_MILESTONE);
      link(complete, backfill, RelationType.FINISH_START, 0);

      Resource crew = file.addResource();
      crew.setName("Excavation crew");
      ResourceAssignment dig = excavate.addResourceAssignment(crew);
      dig.setWork(Duration.getInstance(80, TimeUnit.HOURS));
      dig.setActualWork(Duration.getInstance(48, TimeUnit.HOURS));
      // What a real export carries: a remainder a rounding left a few seconds below zero.
      dig.setRemainingWork(Duration.getInstance(-0.0014, TimeUnit.HOURS));
      ResourceAssignment pour = foundations.addResourceAssignment(crew);
      pour.setWork(Duration.getInstance(120, TimeUnit.HOURS));
      pour.setRemainingWork(Duration.getInstance(120, TimeUnit.HOURS));
      return file;
   }

   private static Task activity(Task parent, String id, String name, double duration)
   {
      Task task = parent.addTask();
      task.setCalendar(parent.getParentFile().getDefaultCalendar());
      task.setActivityID(id);
      task.setName(name);
      task.setDuration(days(duration));
      task.setRemainingDuration(days(duration));
      task.setActivityType(ActivityType.TASK_DEPENDENT);
      return task;
   }

   private static void link(Task successor, Task predecessor, RelationType type, double lagDays)
   {
      successor.addPredecessor(new Relation.Builder().predecessorTask(predecessor).type(type).lag(days(lagDays)));
   }

   // The XER's TASKPRED table with the (first) relationship into activity `activityId` written
   // twice, under a new task_pred_id: the same pair and type twice, as some exports have it.
   private static String repeatFirstLinkOf(String xer, String activityId)
   {
      String[] lines = xer.split("\r?\n", -1);
      String taskId = null;
      List<String> taskFields = null;
      List<String> predFields = null;
      List<String> out = new ArrayList<>();
      String table = "";
      boolean repeated = false;
      for (String line : lines)
      {
         out.add(line);
         String[] cells = line.split("\t", -1);
         if (cells[0].equals("%T"))
         {
            table = cells[1];
         }
         else if (cells[0].equals("%F"))
         {
            List<String> names = List.of(cells).subList(1, cells.length);
            if (table.equals("TASK")) taskFields = names;
            if (table.equals("TASKPRED")) predFields = names;
         }
         else if (cells[0].equals("%R") && table.equals("TASK") && taskFields != null)
         {
            if (cells[1 + taskFields.indexOf("task_code")].equals(activityId))
            {
               taskId = cells[1 + taskFields.indexOf("task_id")];
            }
         }
         else if (cells[0].equals("%R") && table.equals("TASKPRED") && predFields != null && !repeated && taskId != null)
         {
            if (cells[1 + predFields.indexOf("task_id")].equals(taskId))
            {
               String[] copy = cells.clone();
               int id = 1 + predFields.indexOf("task_pred_id");
               copy[id] = String.valueOf(Integer.parseInt(cells[id]) + 9000);
               out.add(String.join("\t", copy));
               repeated = true;
            }
         }
      }
      if (!repeated)
      {
         throw new IllegalStateException("no relationship into " + activityId + " in the XER");
      }
      return String.join("\r\n", out);
   }
}
