// Keel's MPXJ converter: reads any schedule file MPXJ reads, writes it as MSPDI (Microsoft Project
// XML, which Keel reads natively) and beside it a small JSON file with what MSPDI cannot carry:
// the file's format, Primavera P6's scheduling options (data date, progressed activities, lag
// calendar, total float type, critical activity type and threshold, must finish by) and each
// task's P6 activity type, keyed by the task's UniqueID (its UID in the MSPDI file).
//
// Kept as source and launched without a build step (JEP 330 single-file source launch):
//   java -cp "<mpxj>/lib/*" KeelConvert.java <input> <output.xml> <output.json>
// See projects/scheduling/p6.py.

import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;

import org.mpxj.ActivityType;
import org.mpxj.Duration;
import org.mpxj.ProjectFile;
import org.mpxj.ProjectProperties;
import org.mpxj.Task;
import org.mpxj.TimeUnit;
import org.mpxj.mspdi.MSPDIWriter;
import org.mpxj.reader.UniversalProjectReader;

public class KeelConvert
{
   public static void main(String[] args) throws Exception
   {
      if (args.length != 3)
      {
         System.err.println("Usage: KeelConvert <input> <output.xml> <output.json>");
         System.exit(2);
      }
      ProjectFile project;
      try
      {
         project = new UniversalProjectReader().read(args[0]);
      }
      catch (Exception ex)
      {
         System.err.println("Conversion Error: " + ex.getMessage());
         System.exit(1);
         return;
      }
      if (project == null)
      {
         System.err.println("Conversion Error: MPXJ does not recognise this file's format");
         System.exit(1);
         return;
      }
      new MSPDIWriter().write(project, args[1]);

      ProjectProperties props = project.getProjectProperties();
      StringBuilder json = new StringBuilder("{");
      field(json, "file_type", props.getFileType());
      field(json, "application", props.getFileApplication());
      field(json, "data_date", date(props.getStatusDate()));
      field(json, "must_finish_by", date(props.getMustFinishBy()));
      field(json, "progressed_activities", name(props.getSchedulingProgressedActivities()));
      field(json, "lag_calendar", name(props.getRelationshipLagCalendar()));
      field(json, "total_float", name(props.getTotalSlackCalculationType()));
      field(json, "critical_activity", name(props.getCriticalActivityType()));
      Duration limit = props.getCriticalSlackLimit();
      json.append("\"critical_float_minutes\":");
      json.append(limit == null ? "null" : String.valueOf(Math.round(limit.convertUnits(TimeUnit.MINUTES, props).getDuration())));
      json.append(",\"activity_types\":{");
      boolean first = true;
      for (Task task : project.getTasks())
      {
         ActivityType type = task.getActivityType();
         if (type == null || task.getUniqueID() == null)
         {
            continue;
         }
         if (!first)
         {
            json.append(',');
         }
         first = false;
         json.append('"').append(task.getUniqueID()).append("\":\"").append(type.name()).append('"');
      }
      json.append("}}");
      try (Writer out = new OutputStreamWriter(new FileOutputStream(args[2]), StandardCharsets.UTF_8))
      {
         out.write(json.toString());
      }
   }

   private static String date(LocalDateTime value)
   {
      return value == null ? null : value.toString();
   }

   private static String name(Enum<?> value)
   {
      return value == null ? null : value.name();
   }

   private static void field(StringBuilder json, String key, String value)
   {
      json.append('"').append(key).append("\":");
      if (value == null)
      {
         json.append("null");
      }
      else
      {
         json.append('"');
         for (char c : value.toCharArray())
         {
            if (c == '"' || c == '\\')
            {
               json.append('\\').append(c);
            }
            else if (c < 0x20)
            {
               json.append(String.format("\\u%04x", (int) c));
            }
            else
            {
               json.append(c);
            }
         }
         json.append('"');
      }
      json.append(',');
   }
}
