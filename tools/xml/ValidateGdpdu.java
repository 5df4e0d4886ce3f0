// Validates a GDPdU index.xml against the DTD next to it with the JDK's built-in Xerces, which
// (unlike libxml2) accepts the standard's non-deterministic Media content model
// (docs/gobd-bao-export.md §5). Only the given DTD is ever read: any other external entity, and
// the network, are refused. Exit 0 valid; 2 invalid (the parser's message, with line and
// column, on stderr); 64 usage.
//
//   java tools/xml/ValidateGdpdu.java INDEX.xml DTD-FILE
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
        if (args.length != 2) {
            System.err.println("usage: java ValidateGdpdu.java INDEX.xml DTD-FILE");
            System.exit(64);
        }
        Path index = Path.of(args[0]);
        Path dtd = Path.of(args[1]);
        String dtdName = dtd.getFileName().toString();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setValidating(true);
        factory.setNamespaceAware(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setEntityResolver((publicId, systemId) -> {
            if (systemId != null && (systemId.equals(dtdName) || systemId.endsWith("/" + dtdName))) {
                return new InputSource(Files.newInputStream(dtd));
            }
            throw new SAXException("refusing external entity " + systemId);
        });
        builder.setErrorHandler(new ErrorHandler() {
            public void warning(SAXParseException e) { System.err.println("warning: " + describe(e)); }
            public void error(SAXParseException e) throws SAXException { throw e; }
            public void fatalError(SAXParseException e) throws SAXException { throw e; }
        });
        try {
            builder.parse(index.toFile());
        } catch (SAXParseException e) {
            System.err.println("invalid: " + describe(e));
            System.exit(2);
        } catch (SAXException e) {
            System.err.println("invalid: " + e.getMessage());
            System.exit(2);
        }
        System.out.println("valid");
    }

    static String describe(SAXParseException e) {
        return "line " + e.getLineNumber() + ", column " + e.getColumnNumber() + ": " + e.getMessage();
    }
}
