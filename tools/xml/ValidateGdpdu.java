// Validates GDPdU index.xml files against the DTD with the JDK's built-in Xerces, which (unlike
// libxml2) accepts the standard's non-deterministic Media content model
// (docs/gobd-bao-export.md §5). Only the given DTD is ever read: any other external entity, and
// the network, are refused. One line per file on stdout, "FILE: valid" or "FILE: invalid: line L,
// column C: message". Exit 0 all valid; 2 one or more invalid; 64 usage. Several files in one run
// start one JVM (tests validate every variant at once).
//
//   java tools/xml/ValidateGdpdu.java DTD-FILE INDEX.xml [INDEX.xml ...]
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

public class ValidateGdpdu {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java ValidateGdpdu.java DTD-FILE INDEX.xml [INDEX.xml ...]");
            System.exit(64);
        }
        Path dtd = Path.of(args[0]);
        String dtdName = dtd.getFileName().toString();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setValidating(true);
        factory.setNamespaceAware(false);
        int invalid = 0;
        for (int i = 1; i < args.length; i++) {
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setEntityResolver((publicId, systemId) -> {
                if (systemId != null && (systemId.equals(dtdName) || systemId.endsWith("/" + dtdName))) {
                    return new InputSource(Files.newInputStream(dtd));
                }
                throw new SAXException("refusing external entity " + systemId);
            });
            builder.setErrorHandler(new ErrorHandler() {
                public void warning(SAXParseException e) { System.err.println(args[0] + ": warning: " + describe(e)); }
                public void error(SAXParseException e) throws SAXException { throw e; }
                public void fatalError(SAXParseException e) throws SAXException { throw e; }
            });
            try {
                builder.parse(Path.of(args[i]).toFile());
                System.out.println(args[i] + ": valid");
            } catch (SAXParseException e) {
                System.out.println(args[i] + ": invalid: " + describe(e));
                invalid++;
            } catch (SAXException e) {
                System.out.println(args[i] + ": invalid: " + e.getMessage());
                invalid++;
            }
        }
        System.exit(invalid == 0 ? 0 : 2);
    }

    static String describe(SAXParseException e) {
        return "line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage();
    }
}
